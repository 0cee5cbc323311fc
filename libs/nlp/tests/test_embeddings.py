"""The numpy MiniLM encoder behaves like a sentence encoder: unit vectors, meaning over wording."""

from __future__ import annotations

import time

import numpy as np
from intervu_nlp import cosine, default_encoder, keywords, term_overlap


def test_embeddings_are_unit_length_and_padding_does_not_change_them() -> None:
    encoder = default_encoder()
    short = "I fixed the flaky deployment pipeline."
    vectors = encoder.encode([short, short + " Then I wrote a long postmortem about every step we took."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Encoded alone or in a padded batch, a sentence gets the same vector (the attention mask works).
    alone = encoder.encode([short])[0]
    assert np.allclose(alone, vectors[0], atol=1e-5)


def test_similarity_follows_meaning() -> None:
    encoder = default_encoder()
    question, relevant, paraphrase, off_topic = encoder.encode(
        [
            "Tell me about a time you resolved a conflict with a colleague.",
            "My teammate and I disagreed about the release plan, so I set up a meeting and we agreed on a compromise.",
            "Describe a situation where you and a coworker had a disagreement and how you settled it.",
            "The recipe needs two cups of flour and a pinch of salt.",
        ]
    )
    assert cosine(question, paraphrase) > 0.6
    assert cosine(question, relevant) > cosine(question, off_topic) + 0.2
    assert cosine(question, off_topic) < 0.15


def test_encoding_is_fast_enough_for_a_request() -> None:
    encoder = default_encoder()
    texts = ["We are hiring a data engineer to build streaming pipelines with Kafka and Spark."] * 16
    start = time.perf_counter()
    encoder.encode(texts)
    assert time.perf_counter() - start < 5.0  # generous: this guards against accidental O(n^2) blow-ups only


def test_keywords_drop_boilerplate_and_fold_plurals() -> None:
    terms = keywords("We are looking for a candidate with strong experience in APIs, Kubernetes and SQL databases.")
    assert {"api", "sql", "database"} <= set(terms)
    assert keywords("Kubernetes") == keywords("kubernetes")
    assert "candidate" not in terms and "strong" not in terms
    assert term_overlap(keywords("design REST APIs backed by SQL"), keywords("SQL and APIs")) == 1.0
