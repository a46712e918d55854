"""The in-memory match index: BM25 + dense scores fused, structured constraints, explanations.

Scores combine as ``fusion.py`` says (z-normalized lists, equal weights, constraint bonus), the
same as in the batch run. Every result carries an ``Explanation`` that says why it was ranked.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import bm25s
import numpy as np
import numpy.typing as npt

from innobridge.matching.dense import Embedder, Vectors
from innobridge.matching.fusion import FIELD_BOOST, TRL_PENALTY, coverage, lexical_weight
from innobridge.matching.text import (
    alias_hits,
    document_tokens,
    domain_terms,
    normalize,
    surface_tokens,
)
from innobridge.matching.text import query_tokens as tokenize_query

DOMAIN_TERMS = frozenset(normalize(term) for term in domain_terms())

SHARED_TERMS_SHOWN = 6


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    field: str | None = None
    trl: int | None = None


@dataclass(frozen=True)
class MatchQuery:
    text: str
    field: str | None = None
    min_trl: int | None = None


@dataclass(frozen=True)
class Constraint:
    """One structured condition: ``kind`` is "field" or "trl"; ``met`` says whether it held."""

    kind: str
    met: bool
    wanted: str | int | None
    actual: str | int | None


@dataclass(frozen=True)
class Explanation:
    shared_terms: tuple[str, ...]
    constraints: tuple[Constraint, ...]
    parts: dict[str, float] = field(default_factory=dict)
    # (concept, alias in the demand, alias in the technology) where the two texts used different
    # words for the same concept: 挂渣 ← "毛刺" / "挂渣"
    synonyms: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Match:
    id: str
    score: float
    explanation: Explanation


def _z(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    spread = float(scores.std())
    if spread == 0.0:
        return np.zeros_like(scores)
    normalized: npt.NDArray[np.float64] = (scores - scores.mean()) / spread
    return normalized


class MatchIndex:
    """Documents indexed for BM25 and, when vectors are given, for dense retrieval."""

    def __init__(
        self,
        documents: Sequence[Document],
        *,
        vectors: Vectors | None = None,
        embedder: Embedder | None = None,
        tokens: list[list[str]] | None = None,
    ) -> None:
        self.documents = list(documents)
        self.tokens = tokens if tokens is not None else [document_tokens(d.text) for d in self.documents]  # fmt: skip
        self.fields = np.array([doc.field or "" for doc in self.documents], dtype=object)
        self.trls = np.array([doc.trl if doc.trl is not None else -1 for doc in self.documents])
        self.document_frequency: Counter[str] = Counter()
        for tokens_of_one in self.tokens:
            self.document_frequency.update(set(tokens_of_one))
        self.bm25: bm25s.BM25 | None = None
        if any(self.tokens):
            self.bm25 = bm25s.BM25(k1=1.2, b=0.75)
            self.bm25.index([t or [""] for t in self.tokens], show_progress=False)
        if vectors is not None and len(vectors) != len(self.documents):
            raise ValueError("one vector per document is needed")
        self.vectors = vectors
        self.embedder = embedder if vectors is not None else None
        self._aliases: dict[int, dict[str, str]] = {}

    def __len__(self) -> int:
        return len(self.documents)

    def search(
        self,
        query: MatchQuery,
        *,
        k: int = 10,
        allowed: Callable[[str], bool] | None = None,
    ) -> list[Match]:
        if not self.documents:
            return []
        query_tokens = tokenize_query(query.text)
        lexical = np.zeros(len(self.documents))
        if self.bm25 is not None and query_tokens:
            lexical = np.asarray(self.bm25.get_scores(query_tokens), dtype=np.float64)
        lexical_z = _z(lexical)
        total = lexical_z
        dense = None
        if self.embedder is not None and self.vectors is not None:
            query_vector = self.embedder.queries([query.text])[0]
            dense = _z(np.asarray(self.vectors @ query_vector, dtype=np.float64))
            weight = lexical_weight(coverage(query_tokens, self.document_frequency.__getitem__))
            lexical_z = weight * lexical_z
            total = lexical_z + dense
        bonus = np.zeros(len(self.documents))
        if query.field:
            bonus += FIELD_BOOST * (self.fields == query.field)
        if query.min_trl is not None:
            bonus -= TRL_PENALTY * ((self.trls >= 0) & (self.trls < query.min_trl))
        total = total + bonus
        results: list[Match] = []
        for i in _best_first(total, k if allowed is None else 4 * k):
            doc = self.documents[int(i)]
            if allowed is not None and not allowed(doc.id):
                continue
            parts = {"bm25": float(lexical_z[i])}
            if dense is not None:
                parts["dense"] = float(dense[i])
            if bonus[i]:
                parts["constraints"] = float(bonus[i])
            results.append(
                Match(doc.id, float(total[i]), self._explain(query, query_tokens, int(i), parts))
            )
            if len(results) == k:
                break
        return results

    def _explain(
        self, query: MatchQuery, query_tokens: list[str], i: int, parts: dict[str, float]
    ) -> Explanation:
        doc = self.documents[i]
        present = set(self.tokens[i])
        query_via = alias_hits(surface_tokens(query.text))
        doc_via = self._doc_aliases(i)
        shared = [t for t in dict.fromkeys(query_tokens) if t in present and _telling(t)]
        # a concept reached through aliases stands for them: show it once, not its alias too
        hidden = {query_via[t] for t in shared if t in query_via} | {doc_via[t] for t in shared if t in doc_via}  # fmt: skip
        shared = [t for t in shared if t not in hidden or t in DOMAIN_TERMS]
        # domain terms first (激光切割 says more than 停机), then the rarer the better
        shared.sort(key=lambda t: (t not in DOMAIN_TERMS, -self._idf(t)))
        synonyms = tuple(
            (t, query_via.get(t, t), doc_via.get(t, t))
            for t in shared[:SHARED_TERMS_SHOWN]
            if query_via.get(t, t) != doc_via.get(t, t)
        )
        constraints = []
        if query.field:
            constraints.append(
                Constraint("field", doc.field == query.field, query.field, doc.field)
            )
        if query.min_trl is not None:
            met = doc.trl is None or doc.trl >= query.min_trl
            constraints.append(Constraint("trl", met, query.min_trl, doc.trl))
        return Explanation(tuple(shared[:SHARED_TERMS_SHOWN]), tuple(constraints), parts, synonyms)

    def _doc_aliases(self, i: int) -> dict[str, str]:
        """concept → alias as written in document ``i`` (computed once per document)."""
        found = self._aliases.get(i)
        if found is None:
            found = self._aliases[i] = alias_hits(surface_tokens(self.documents[i].text))
        return found

    def _idf(self, term: str) -> float:
        n, df = len(self.documents), self.document_frequency.get(term, 0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def _best_first(scores: npt.NDArray[np.float64], wanted: int) -> Iterator[int]:
    """Indices by descending score (ties: lower index first). Only the top ``wanted`` are
    sorted at first; the rest are sorted only if a filtering caller asks for more."""
    n = len(scores)
    if wanted >= n // 4:
        yield from np.lexsort((np.arange(n), -scores)).tolist()
        return
    cut = np.argpartition(-scores, wanted)[: wanted + 1]
    threshold = scores[cut].min()
    head = np.flatnonzero(scores >= threshold)  # everything tied with the cut comes along
    yield from head[np.lexsort((head, -scores[head]))].tolist()
    tail = np.flatnonzero(scores < threshold)
    yield from tail[np.lexsort((tail, -scores[tail]))].tolist()


def _telling(term: str) -> bool:
    """Worth showing a person: not a lone character, number or two-letter code."""
    if len(term) < 2 or term.isdigit():
        return False
    return not (term.isascii() and len(term) <= 2)
