"""Term matching: the exact-word half of relevance (embeddings catch paraphrase, terms catch jargon)."""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"[a-z][a-z0-9+#.\-]*[a-z0-9+#]|[a-z]")
# Common English words plus the boilerplate every job description carries; they say nothing about the role.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor
    not now of off on once only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours yourself yourselves
    able ability role job candidate candidates team teams work working experience years year strong excellent
    good great including include includes responsibilities responsible requirements required preferred plus
    skills skill knowledge ideal looking join company us across within new using use based well must etc
    opportunity opportunities position environment ensure related relevant various key""".split()
)


def keywords(text: str) -> Counter[str]:
    """Lowercase content words with their counts (a light plural fold so "APIs" matches "API")."""
    counts: Counter[str] = Counter()
    for raw in _WORD.findall(text.lower()):
        word = raw[:-1] if len(raw) > 3 and raw.endswith("s") and not raw.endswith(("ss", "us", "sis", "xis")) else raw
        if word not in STOPWORDS and len(word) > 1:
            counts[word] += 1
    return counts


def term_overlap(document: Counter[str], query: Counter[str]) -> float:
    """Share of the query's distinct terms that the document contains (0..1)."""
    if not query:
        return 0.0
    return sum(1 for term in query if term in document) / len(query)
