"""Offline text models shared by services (question ranking, answer relevance)."""

from intervu_nlp.embeddings import SentenceEncoder, cosine, default_encoder
from intervu_nlp.terms import keywords, term_overlap

__all__ = ["SentenceEncoder", "cosine", "default_encoder", "keywords", "term_overlap"]
