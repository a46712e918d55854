"""BM25 that streams: document frequencies are counted only for the query terms, so a corpus of
any length is scored in bounded memory, one chunk at a time. And BM25 held in memory
(``FastBM25``, bm25s with a faster build)."""

from __future__ import annotations

import itertools
import logging
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import bm25s
import numpy as np
import numpy.typing as npt

# bm25s sets its own logger to DEBUG when imported: its line per index build ("Building index
# from tokens") then filled the server log at every start and rebuild
logging.getLogger("bm25s").setLevel(logging.WARNING)

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


class FastBM25(bm25s.BM25):  # type: ignore[misc]  # bm25s has no type hints
    """bm25s' BM25 (Lucene variant), its index built with numpy instead of bm25s' loop over the
    documents in Python: the same scores (tests/matching/test_lexical.py compares them), but
    100,000 technologies index in about a second instead of ten. Every saved project makes each
    web process rebuild its index, so this was ten seconds of CPU per process per save. bm25s
    names ``build_index_from_tokens`` as the method to override for another way of building.

    ``index_reusing`` builds the same index again after a few documents changed, taking the
    others' words from the previous index instead of numbering 11 million words again.

    ``document_frequencies`` (token → number of documents holding it) comes with it."""

    document_frequencies: dict[str, int]
    # each document's distinct words and their counts, by document (kept for ``index_reusing``)
    _vocabulary: _Numbering | None = None
    _pair_ptr: npt.NDArray[np.int64]
    _pair_terms: npt.NDArray[np.int32]
    _pair_counts: npt.NDArray[np.int32]
    _lengths: npt.NDArray[np.int64]
    _reusing: tuple[FastBM25, npt.NDArray[np.int64]] | None = None

    def index_reusing(
        self, corpus: list[list[str]], previous: FastBM25, reuse: npt.NDArray[np.int64]
    ) -> None:
        """Index ``corpus`` exactly as ``index`` would, taking document ``j``'s words from
        document ``reuse[j]`` of ``previous`` where that is ≥ 0 (the caller vouches they are the
        same words). After one saved record of 100,000 this is about a third of a full build."""
        if previous._vocabulary is None or len(reuse) != len(corpus):
            raise ValueError("reuse needs a previous FastBM25 index and one entry per document")
        self._reusing = (previous, reuse)
        try:
            self.index(corpus, show_progress=False)
        finally:
            self._reusing = None

    def build_index_from_tokens(
        self, corpus_tokens: Any, show_progress: bool = True, leave_progress: bool = False
    ) -> tuple[dict[str, Any], dict[str, int]]:
        if self.method != "lucene" or self.idf_method != "lucene":
            raise ValueError("FastBM25 builds the Lucene variant only")
        corpus = list(corpus_tokens)
        documents = len(corpus)
        if self._reusing is None:
            vocabulary, lengths, pair_ptr, pair_terms, pair_counts = _count_words(corpus)
        else:
            vocabulary, lengths, pair_ptr, pair_terms, pair_counts = _count_words_reusing(corpus, *self._reusing)  # fmt: skip
        terms = max(len(vocabulary), 1)
        columns = pair_terms.astype(np.int64)
        rows = np.repeat(np.arange(documents, dtype=np.int64), np.diff(pair_ptr))
        frequencies = np.bincount(columns, minlength=terms)
        # as bm25s computes them: idf in float64 stored as float32, the term-frequency part in
        # float64, their product stored as float32
        idf = np.log(1 + (documents - frequencies + 0.5) / (frequencies + 0.5)).astype(np.float32)
        average = np.float64(lengths.mean()) if documents else np.float64(0)
        tf = pair_counts.astype(np.float32).astype(np.float64)
        norm = self.k1 * ((1 - self.b) + self.b * lengths[rows] / average)
        scores = (idf[columns].astype(np.float64) * (tf / (norm + tf))).astype(self.dtype)
        order = np.argsort(columns, kind="stable")  # by term, documents ascending within each
        indptr = np.zeros(terms + 1, dtype=np.int64)
        np.cumsum(frequencies, out=indptr[1:])
        self.nonoccurrence_array = (
            None  # the Lucene variant has none (bm25s sets it while building)
        )
        self.document_frequencies = dict(zip(vocabulary, frequencies.tolist(), strict=False))
        self._vocabulary, self._lengths = vocabulary, lengths
        self._pair_ptr, self._pair_terms, self._pair_counts = pair_ptr, pair_terms, pair_counts
        index = {
            "data": scores[order],
            "indices": rows[order].astype(self.int_dtype),
            "indptr": indptr,
            "num_docs": documents,
        }
        return index, dict(vocabulary)


_Counted = tuple[
    "_Numbering",
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int32],
    npt.NDArray[np.int32],
]


def _count_words(corpus: list[list[str]]) -> _Counted:
    """The vocabulary (a token's id: its first appearance's rank), each document's length, and
    each document's distinct words with their counts: document ``d``'s are
    ``terms[ptr[d]:ptr[d + 1]]`` (ascending) and ``counts[ptr[d]:ptr[d + 1]]``."""
    vocabulary = _Numbering()
    lengths = np.fromiter(map(len, corpus), dtype=np.int64, count=len(corpus))
    flat = itertools.chain.from_iterable(corpus)  # 11 million words for 100,000 projects
    token_ids = np.fromiter(map(vocabulary.__getitem__, flat), dtype=np.int64, count=int(lengths.sum()))  # fmt: skip
    documents, terms = len(corpus), max(len(vocabulary), 1)
    # one entry per (document, term) with its count, sorted by document then term
    pairs, counts = np.unique(np.repeat(np.arange(documents, dtype=np.int64), lengths) * terms + token_ids, return_counts=True)  # fmt: skip
    rows, columns = pairs // terms, pairs % terms
    ptr = np.zeros(documents + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=documents), out=ptr[1:])
    return vocabulary, lengths, ptr, columns.astype(np.int32), counts.astype(np.int32)


def _count_words_reusing(
    corpus: list[list[str]], previous: FastBM25, reuse: npt.NDArray[np.int64]
) -> _Counted:
    """What ``_count_words`` gives, with the counted words of each document ``j`` where
    ``reuse[j] >= 0`` copied from document ``reuse[j]`` of ``previous``. Words that no document
    holds any more are dropped from the vocabulary, so it is the one a full build would have
    (numbered otherwise, which changes no score)."""
    assert previous._vocabulary is not None
    vocabulary = _Numbering(previous._vocabulary)
    documents = len(corpus)
    kept = reuse >= 0
    source = reuse[kept]
    widths = np.zeros(documents, dtype=np.int64)
    widths[kept] = previous._pair_ptr[source + 1] - previous._pair_ptr[source]
    lengths = np.zeros(documents, dtype=np.int64)
    lengths[kept] = previous._lengths[source]
    counted: dict[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] = {}
    for j in np.flatnonzero(~kept).tolist():
        words = corpus[j]
        ids = np.fromiter(map(vocabulary.__getitem__, words), dtype=np.int64, count=len(words))
        counted[j] = np.unique(ids, return_counts=True)
        widths[j], lengths[j] = len(counted[j][0]), len(words)
    ptr = np.zeros(documents + 1, dtype=np.int64)
    np.cumsum(widths, out=ptr[1:])
    terms = np.empty(int(ptr[-1]), dtype=np.int32)
    counts = np.empty(int(ptr[-1]), dtype=np.int32)
    # the kept documents' entries, in one gather: destination i takes source i + shift
    target = np.flatnonzero(np.repeat(kept, widths))
    shift = np.repeat(previous._pair_ptr[source] - ptr[:-1][kept], widths[kept])
    terms[target] = previous._pair_terms[target + shift]
    counts[target] = previous._pair_counts[target + shift]
    for j, (ids, repeats) in counted.items():
        terms[ptr[j] : ptr[j + 1]], counts[ptr[j] : ptr[j + 1]] = ids, repeats
    held = np.bincount(terms, minlength=len(vocabulary)) > 0
    if not held.all():  # renumber the words still held, in the same order
        number = np.cumsum(held) - 1
        terms = number[terms].astype(np.int32)
        vocabulary = _Numbering((word, int(number[i])) for word, i in vocabulary.items() if held[i])  # fmt: skip
    return vocabulary, lengths, ptr, terms, counts


class _Numbering(dict[str, int]):
    """Numbers each new key as it is first asked for: in C, token by token, through ``map``."""

    def __missing__(self, key: str) -> int:
        number = self[key] = len(self)
        return number
