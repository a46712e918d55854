"""BM25 that streams: document frequencies are counted only for the query terms, so a corpus of
any length is scored in bounded memory, one chunk at a time."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

K1 = 1.2
B = 0.75


@dataclass
class CorpusStats:
    """What BM25 needs about the whole corpus, for a fixed set of query terms."""

    terms: frozenset[str]
    documents: int = 0
    total_length: int = 0
    df: Counter[str] = field(default_factory=Counter)

    def add(self, tokens: list[str]) -> None:
        self.documents += 1
        self.total_length += len(tokens)
        self.df.update(self.terms.intersection(tokens))

    @property
    def average_length(self) -> float:
        return self.total_length / self.documents if self.documents else 0.0

    def idf(self, term: str) -> float:
        n, df = self.documents, self.df.get(term, 0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def bm25(query: Iterable[str], document: list[str], stats: CorpusStats) -> float:
    counts = Counter(document)
    norm = K1 * (1 - B + B * len(document) / (stats.average_length or 1.0))
    score = 0.0
    for term, repeats in Counter(
        query
    ).items():  # a term said twice (e.g. in the title) weighs twice
        tf = counts.get(term, 0)
        if tf:
            score += repeats * stats.idf(term) * tf * (K1 + 1) / (tf + norm)
    return score


def bm25_weighted(
    terms: list[tuple[str, float]], counts: Counter[str], length: int, stats: CorpusStats
) -> float:
    """Σ weight · BM25 of each term in a document of ``length`` words whose words ``counts``
    counts (feedback expansion terms, ``fusion.py``)."""
    norm = K1 * (1 - B + B * length / (stats.average_length or 1.0))
    score = 0.0
    for term, weight in terms:
        tf = counts.get(term, 0)
        if tf:
            score += weight * stats.idf(term) * tf * (K1 + 1) / (tf + norm)
    return score
