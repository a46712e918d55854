"""The in-memory match index: BM25 + dense scores fused, structured constraints, explanations.

Scores combine as ``fusion.py`` says (z-normalized lists, equal weights, constraint bonus, and
feedback from the best documents for a demand in words the corpus barely uses), the same as in
the batch run. Every result carries an ``Explanation`` that says why it was ranked: the words it
shares with the demand (and which of them met through the dictionary's aliases), the constraints,
the score's parts, and apart from those the feedback terms it shares with the best matches.

Feedback re-scores only the head of the first ranking (``FEEDBACK_DEPTH`` documents); the rest
follow in their first order. Its statistics are the corpus' (dense moments, a fixed sample for
BM25), so a document scores the same on both paths below.

A corpus of ``Retrieval.exact_below`` documents or more is answered from candidates
(``retrieval.py``): exact BM25 with its best documents, plus the documents of the nearest cells of
an inverted file for the dense side, fused with z-statistics of the whole corpus. Smaller corpora,
and any query the candidates cannot answer (a filter that leaves fewer than ``k``, a ``k`` close
to the candidate depth), are scored exhaustively, as ``search(..., exact=True)`` always is.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

import numpy as np
import numpy.typing as npt

from innobridge.matching.dense import Embedder, Vectors
from innobridge.matching.dictionary import alias_concepts
from innobridge.matching.explain import worth_showing
from innobridge.matching.fusion import (
    FEEDBACK_DEPTH,
    FIELD_BOOST,
    TRL_PENALTY,
    coverage,
    feedback_scores,
    lexical_weight,
)
from innobridge.matching.lexical import FastBM25
from innobridge.matching.retrieval import (
    DenseMoments,
    IVFIndex,
    Nearest,
    PostingScorer,
    Retrieval,
    SampledPostings,
    dot,
    posting_values,
    top_candidates,
)
from innobridge.matching.text import (
    document_tokens,
    domain_terms,
    lay_sources,
    lay_words,
    normalize,
    query_aliases,
    telling,
)
from innobridge.matching.text import query_tokens as tokenize_query

DOMAIN_TERMS = frozenset(normalize(term) for term in domain_terms())

SHARED_TERMS_SHOWN = 6
# a rebuild reuses the previous index's word counts when at least this share of them still holds
REUSE_AT_LEAST = 0.5
ALIAS_CACHE_SIZE = 50_000  # documents whose aliases are kept (then the memo starts over)
QUERY_VECTORS_KEPT = 256  # the latest queries' vectors, per model


# per model instance (two instances may share a name and differ: the bench's fixed vectors)
_query_vectors: weakref.WeakKeyDictionary[Any, OrderedDict[str, Vectors]] = (
    weakref.WeakKeyDictionary()
)
_query_vectors_lock = threading.Lock()


def query_vector_of(embedder: Embedder, text: str) -> npt.NDArray[np.float32]:
    """The model's vector of a query's text, kept for the latest ``QUERY_VECTORS_KEPT`` queries. Encoding a demand takes
    e5 tens of milliseconds; a search that falls back from the candidates to every document,
    a search box ranking with feedback and a page opened again would each encode it again."""
    with _query_vectors_lock:
        kept = _query_vectors.setdefault(embedder, OrderedDict())
        found = kept.get(text)
        if found is not None:
            kept.move_to_end(text)
            return found
    vector = np.asarray(embedder.queries([text])[0], dtype=np.float32)
    vector.flags.writeable = False  # shared between requests
    with _query_vectors_lock:
        kept[text] = vector
        while len(kept) > QUERY_VECTORS_KEPT:
            kept.popitem(last=False)
    return vector


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
    # terms this technology shares with the demand's best matches but not with the demand itself
    # (feedback expansion, ``fusion.py``); never among ``shared_terms``
    expanded_terms: tuple[str, ...] = ()
    # (word of the demand, concept of the technology) where the demand's word is not in the
    # technology's text but in an everyday wording of a concept it names (``text.lay_sources``):
    # "切不动" ← 厚板切割; never among ``shared_terms``
    lay_terms: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Feedback:
    order: list[int]  # the re-scored positions (the first ranking's head), best first now
    parts: dict[int, float]  # position → what feedback added to its score
    terms: tuple[str, ...]  # expansion terms, most telling first

    def ranked(self, first: npt.NDArray[np.float64], wanted: int) -> Iterator[int]:
        """The re-scored head, then everything else in the first ranking's order."""
        yield from self.order
        for i in _best_first(first, wanted):
            if i not in self.parts:
                yield i


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
        retrieval: Retrieval | None = None,
        previous: MatchIndex | None = None,
        nearest: Nearest | None = None,
    ) -> None:
        """``previous``: an index of mostly the same documents (their tokens the very same lists,
        their vectors from the same model), whose BM25 counts and inverted-file cells of the
        unchanged ones are reused: after a save, the same BM25 in a third of the time, and the
        cells without a k-means. ``nearest``: where a large index finds its dense candidates
        (positions in ``documents``), instead of an inverted file built here."""
        self.documents = list(documents)
        self.tokens = tokens if tokens is not None else [document_tokens(d.text) for d in self.documents]  # fmt: skip
        self.fields = np.array([doc.field or "" for doc in self.documents], dtype=object)
        self._field_codes: dict[str, int] = {}
        self._field_of = np.array(
            [self._field_codes.setdefault(doc.field or "", len(self._field_codes)) for doc in self.documents],
            dtype=np.int32,
        )  # fmt: skip
        self.trls = np.array([doc.trl if doc.trl is not None else -1 for doc in self.documents])
        self.document_frequency: Counter[str] = Counter()
        self.bm25: FastBM25 | None = None
        reuse = self._reusable(previous)
        # the words the documents are written in: a query's coverage is counted against these
        self.written: frozenset[str] = frozenset()
        if any(self.tokens):
            self.bm25 = FastBM25(k1=1.2, b=0.75)
            if reuse is not None and previous is not None and previous.bm25 is not None:
                # a reused document's words are taken from ``previous``: only the others' are read
                corpus = [t if i >= 0 else _indexed(t) for t, i in zip(self.tokens, reuse.tolist(), strict=True)]  # fmt: skip
                self.bm25.index_reusing(corpus, previous.bm25, reuse)
            else:
                self.bm25.index([_indexed(t) for t in self.tokens], show_progress=False)
            self.document_frequency.update(self.bm25.document_frequencies)
            self.document_frequency.pop("", None)  # what stood in for a document without words
            self.written = frozenset(chain.from_iterable(self.tokens))
        if vectors is not None and len(vectors) != len(self.documents):
            raise ValueError("one vector per document is needed")
        self.vectors = vectors
        self.embedder = embedder if vectors is not None else None
        self._aliases: dict[int, dict[str, str]] = {}
        self._position: dict[str, int] | None = None  # id → position, built when first asked
        self.retrieval = retrieval or Retrieval()
        self._postings: PostingScorer | None = None
        self.ivf: Nearest | None = None
        self._nearest = nearest
        # corpus statistics for feedback (fusion.py): the dense moments, a sample for BM25
        self._moments = DenseMoments(vectors) if self.embedder is not None and vectors is not None else None  # fmt: skip
        self._sampled = (
            SampledPostings(self.bm25.scores, len(self.documents), seed=self.retrieval.seed)
            if self.bm25 is not None and self._moments is not None
            else None
        )
        if len(self.documents) >= self.retrieval.exact_below:
            self._build_candidate_generation(previous, reuse)

    def _reusable(self, previous: MatchIndex | None) -> npt.NDArray[np.int64] | None:
        """For each document, its position in ``previous`` when it holds the very same token
        list there (-1 when not), or None when too little of ``previous`` is reusable."""
        if previous is None or previous.bm25 is None or previous.bm25._vocabulary is None:
            return None
        position = {doc.id: i for i, doc in enumerate(previous.documents)}
        reuse = np.full(len(self.documents), -1, dtype=np.int64)
        for j, (doc, tokens) in enumerate(zip(self.documents, self.tokens, strict=True)):
            i = position.get(doc.id)
            if i is not None and previous.tokens[i] is tokens and tokens:
                reuse[j] = i
        return reuse if np.count_nonzero(reuse >= 0) >= REUSE_AT_LEAST * len(reuse) else None

    def _build_candidate_generation(
        self, previous: MatchIndex | None, reuse: npt.NDArray[np.int64] | None
    ) -> None:
        if self.bm25 is not None:
            scores = self.bm25.scores
            self._postings = PostingScorer(
                scores["data"], scores["indices"], scores["indptr"], len(self.documents)
            )
        if self.embedder is None or self.vectors is None:
            return
        if self._nearest is not None:
            self.ivf = self._nearest
        elif reuse is not None and previous is not None and self._same_vectors(previous):
            # after a save: the previous cells, the changed records placed in them (a k-means
            # over 100,000 vectors was 15 s of every process's rebuild)
            assert isinstance(previous.ivf, IVFIndex)
            self.ivf = IVFIndex.reusing(previous.ivf, self.vectors, reuse)
        else:
            self.ivf = IVFIndex(
                self.vectors, self.retrieval.cells(len(self.vectors)), seed=self.retrieval.seed
            )

    def _same_vectors(self, previous: MatchIndex) -> bool:
        """``previous`` has an inverted file over vectors of the same model (a record with the
        same text there has the same vector), whose cells were not trained on a corpus that has
        mostly changed since."""
        return (
            isinstance(previous.ivf, IVFIndex)
            # cells trained on a corpus that has mostly changed since are trained again
            and previous.ivf.placed <= REUSE_AT_LEAST * len(previous.ivf)
            and previous.embedder is not None
            and self.embedder is not None
            and getattr(previous.embedder, "name", None) == getattr(self.embedder, "name", None)
            and previous.vectors is not None
            and self.vectors is not None
            and previous.vectors.shape[1] == self.vectors.shape[1]
        )

    def __len__(self) -> int:
        return len(self.documents)

    def search(
        self,
        query: MatchQuery,
        *,
        k: int = 10,
        allowed: Callable[[str], bool] | None = None,
        exact: bool = False,
        explain: bool = True,
        shared_only: bool = False,
        among: Collection[str] | None = None,
    ) -> list[Match]:
        """The ``k`` best documents for the query (that ``allowed`` accepts), best first.
        ``among`` (document ids) ranks only those documents, in the order the whole ranking
        would give them (a search box ranks the records holding every word: sorting just them
        instead of walking the corpus' order past the others, ~50 ms for 2,000 of 100,000).
        ``exact`` scores every document even in a large index; ``explain=False`` leaves the
        explanations empty but for the score parts (a caller that needs only the order of
        thousands of documents, such as a search box, skips segmenting each of them again).
        ``shared_only`` keeps only documents containing a telling term of the query (those
        whose explanation would show a shared term), scoring every document."""
        if not self.documents:
            return []
        query_tokens = tokenize_query(query.text)
        if among is not None:
            return self._search_exact(query, query_tokens, k, allowed, explain=explain, among=among)  # fmt: skip
        if shared_only:
            return self._search_exact(query, query_tokens, k, allowed, explain=explain, shared_only=True)  # fmt: skip
        if not exact and self._fast_enough(k if allowed is None else 4 * k):
            found = self._search_candidates(query, query_tokens, k, allowed, explain=explain)
            if found is not None:
                return found
        return self._search_exact(query, query_tokens, k, allowed, explain=explain)

    def _search_exact(
        self,
        query: MatchQuery,
        query_tokens: list[str],
        k: int,
        allowed: Callable[[str], bool] | None,
        *,
        explain: bool = True,
        shared_only: bool = False,
        among: Collection[str] | None = None,
    ) -> list[Match]:
        total, lexical_z, dense, bonus, weight = self._scored(query, query_tokens)
        if among is not None:
            if dense is None or weight >= 1.0:  # no feedback: the order is the scores' order
                rows = self._positions(among)
                ranked: Iterator[int] = iter(rows[np.lexsort((rows, -total[rows]))].tolist())
                return self._collect(
                    query, query_tokens, k, allowed, ranked, None, total, lexical_z, dense, bonus,
                    explain=explain,
                )  # fmt: skip
            wanted_ids = frozenset(among)  # feedback re-scores the head of the whole ranking
            outer = allowed
            allowed = (lambda i: i in wanted_ids and outer(i)) if outer else wanted_ids.__contains__  # fmt: skip
        wanted = k if allowed is None else 4 * k
        ranked = _best_first(total, wanted)
        feedback = None
        if dense is not None and weight < 1.0:
            feedback, first = self._feedback(query, query_tokens, total, None, 1.0 - weight), total
        if feedback is not None:
            total, ranked = total.copy(), feedback.ranked(first, wanted)
            total[list(feedback.parts)] += list(feedback.parts.values())
        if shared_only:  # BM25 over the telling terms alone is > 0 exactly where one occurs
            terms = [t for t in dict.fromkeys(query_tokens) if telling(t)]
            if self.bm25 is None or not terms:
                return []
            sharing = np.asarray(self.bm25.get_scores(terms)) > 0
            if feedback is None:  # the same order, sorting only the documents that share one
                held = np.flatnonzero(sharing)
                ranked = iter(held[np.lexsort((held, -total[held]))].tolist())
            else:
                ranked = (i for i in ranked if sharing[i])
        return self._collect(
            query, query_tokens, k, allowed, ranked, None, total, lexical_z, dense, bonus, feedback,
            explain=explain,
        )  # fmt: skip

    def _scored(self, query: MatchQuery, query_tokens: list[str]) -> tuple[
        npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64] | None,
        npt.NDArray[np.float64], float,
    ]:  # fmt: skip
        """Every document's score: (total, weighted lexical z, dense z or None, constraint
        bonus, lexical weight)."""
        lexical = np.zeros(len(self.documents))
        if self.bm25 is not None and query_tokens:
            lexical = np.asarray(self.bm25.get_scores(query_tokens), dtype=np.float64)
        lexical_z = _z(lexical)
        total = lexical_z
        dense = None
        weight = 1.0
        if self.embedder is not None and self.vectors is not None:
            query_vector = query_vector_of(self.embedder, query.text)
            dense = _z(np.asarray(self.vectors @ query_vector, dtype=np.float64))
            weight = lexical_weight(coverage(query_tokens, self.written.__contains__))
            lexical_z = weight * lexical_z
            total = lexical_z + dense
        bonus = self._bonus(query, None)
        return total + bonus, lexical_z, dense, bonus, weight

    def ranked_ids(self, query: MatchQuery, among: Collection[str]) -> list[str]:
        """The ids of ``among`` in the order ``search(query, among=among, k=len(among))`` gives
        them, without a Match for each: a search box ranks up to 2,000 records to show 20, and
        building their results was most of its ranking time."""
        if not self.documents:
            return []
        query_tokens = tokenize_query(query.text)
        total, _lexical, dense, _bonus, weight = self._scored(query, query_tokens)
        if dense is not None and weight < 1.0:  # feedback re-scores the head: the full path
            return [m.id for m in self.search(query, k=len(among), among=among, explain=False)]
        rows = self._positions(among)
        ordered: list[int] = rows[np.lexsort((rows, -total[rows]))].tolist()
        return [self.documents[i].id for i in ordered]

    def _fast_enough(self, wanted: int) -> bool:
        """Candidates can answer: the index has them and the query asks for far fewer."""
        built = self._postings is not None or self.ivf is not None
        return built and 4 * wanted <= self.retrieval.candidates

    def _search_candidates(
        self,
        query: MatchQuery,
        query_tokens: list[str],
        k: int,
        allowed: Callable[[str], bool] | None,
        *,
        explain: bool = True,
    ) -> list[Match] | None:
        """The best documents among the candidates, or None when they cannot answer."""
        term_ids = self.bm25.get_tokens_ids(query_tokens) if self.bm25 is not None else []
        parts: list[npt.NDArray[np.intp]] = []
        lexical = None
        if self._postings is not None and term_ids:
            lexical = self._postings.scores(term_ids)
            parts.append(top_candidates(lexical, self.retrieval.candidates))
        nearest = None
        if self.ivf is not None and self.embedder is not None:
            query_vector = query_vector_of(self.embedder, query.text)
            nearest = (query_vector, *self.ivf.search(query_vector, self.retrieval.probes))
            parts.append(nearest[1])
        if not parts:
            return None
        candidates = _union(parts)  # ascending: ties keep the index order
        if lexical is not None:
            lexical_z = _z_from(lexical[candidates].astype(np.float64), _mean_std(lexical))
        else:
            lexical_z = np.zeros(len(candidates))
        total = lexical_z
        dense = None
        weight = 1.0
        if nearest is not None:
            dense = self._dense_z(candidates, *nearest)
            weight = lexical_weight(coverage(query_tokens, self.written.__contains__))
            lexical_z = weight * lexical_z
            total = lexical_z + dense
        bonus = self._bonus(query, candidates)
        total = total + bonus
        wanted = k if allowed is None else 4 * k
        ranked = _best_first(total, wanted)
        feedback = None
        if dense is not None and weight < 1.0:
            feedback, first = (
                self._feedback(query, query_tokens, total, candidates, 1.0 - weight),
                total,
            )
        if feedback is not None:
            total, ranked = total.copy(), feedback.ranked(first, wanted)
            total[list(feedback.parts)] += list(feedback.parts.values())
        results = self._collect(
            query, query_tokens, k, allowed, ranked,
            candidates, total, lexical_z, dense, bonus, feedback, explain=explain,
        )  # fmt: skip
        return results if len(results) == k else None

    def _feedback(
        self,
        query: MatchQuery,
        query_tokens: list[str],
        total: npt.NDArray[np.float64],
        rows: npt.NDArray[np.intp] | None,
        weight: float,
    ) -> _Feedback | None:
        """Pseudo-relevance feedback (``fusion.py``) for the head of the first ranking ``total``
        (of the corpus, ``rows`` None, or of these rows: the candidates). Only the head is
        re-scored, so the cost does not grow with the corpus; both lists are z-normalized with
        statistics of the whole corpus (dense: its moments; the expansion terms' BM25: a fixed
        sample, all of a small corpus), so a document scores the same on either path. None when
        the best documents disagree on the field (``fusion.head_agreement``)."""
        assert self.vectors is not None
        assert self._moments is not None
        moments = self._moments
        head = np.fromiter(islice(_best_first(total, FEEDBACK_DEPTH), FEEDBACK_DEPTH), np.intp)
        rows_of = head if rows is None else rows[head]
        asked = set(query_tokens)
        by_code = {code: name for name, code in self._field_codes.items()}

        def expanded(
            terms: list[tuple[str, float]],
        ) -> tuple[npt.NDArray[np.float64], tuple[float, float]]:
            vocabulary = self.bm25.vocab_dict if self.bm25 is not None else {}
            weighted = [(vocabulary[t], w) for t, w in terms if t in vocabulary]
            if self.bm25 is None or self._sampled is None or not weighted:
                return np.zeros(len(head)), (0.0, 0.0)
            values = posting_values(self.bm25.scores, weighted, rows_of)
            return values, self._sampled.mean_std(weighted)

        fed = feedback_scores(
            total[head],
            self.vectors[rows_of],
            [by_code[int(code)] for code in self._field_of[rows_of]],
            lambda i: self.tokens[int(rows_of[i])],
            spread=moments.mean_std,
            expanded=expanded,
            idf=self._idf,
            skip=lambda t: t in asked or not telling(t),
            field=query.field,
            weight=weight,
        )
        if fed is None:  # the best documents disagree on the field: nothing to feed back
            return None
        scores, terms = fed
        now = total[head] + scores
        order = head[np.lexsort((head, -now))].tolist()
        return _Feedback(order, dict(zip(head.tolist(), scores.tolist(), strict=True)), terms)

    def _dense_z(
        self,
        candidates: npt.NDArray[np.intp],
        query_vector: npt.NDArray[np.float32],
        scanned_ids: npt.NDArray[np.intp],
        scanned_scores: npt.NDArray[np.float32],
    ) -> npt.NDArray[np.float64]:
        """Dense z-scores of the candidates: the scanned ones' scores are known, the others'
        (lexical candidates) are computed; mean and spread come from the corpus moments."""
        assert self.vectors is not None
        assert self._moments is not None
        raw = np.empty(len(candidates))
        scanned = np.zeros(len(candidates), dtype=bool)
        where = np.searchsorted(candidates, scanned_ids)
        raw[where] = scanned_scores
        scanned[where] = True
        rest = np.flatnonzero(~scanned)
        if len(rest):
            raw[rest] = dot(self.vectors[candidates[rest]], query_vector)
        return _z_from(raw, self._moments.mean_std(query_vector))

    def _bonus(
        self, query: MatchQuery, rows: npt.NDArray[np.intp] | None
    ) -> npt.NDArray[np.float64]:
        """Constraint bonus of every document (``rows`` None) or of these rows."""
        fields = self._field_of if rows is None else self._field_of[rows]
        trls = self.trls if rows is None else self.trls[rows]
        bonus = np.zeros(len(fields))
        if query.field:
            code = self._field_codes.get(query.field)
            if code is not None:
                bonus += FIELD_BOOST * (fields == code)
        if query.min_trl is not None:
            bonus -= TRL_PENALTY * ((trls >= 0) & (trls < query.min_trl))
        return bonus

    def _collect(
        self,
        query: MatchQuery,
        query_tokens: list[str],
        k: int,
        allowed: Callable[[str], bool] | None,
        ranked: Iterator[int],
        rows: npt.NDArray[np.intp] | None,
        total: npt.NDArray[np.float64],
        lexical_z: npt.NDArray[np.float64],
        dense: npt.NDArray[np.float64] | None,
        bonus: npt.NDArray[np.float64],
        feedback: _Feedback | None = None,
        *,
        explain: bool = True,
    ) -> list[Match]:
        """The first ``k`` allowed documents of ``ranked``: positions in ``rows`` (the candidates)
        or, without rows, in the whole corpus."""
        results: list[Match] = []
        query_via = query_aliases(query.text)
        for i in ranked:
            row = i if rows is None else int(rows[i])
            doc = self.documents[row]
            if allowed is not None and not allowed(doc.id):
                continue
            parts = {"bm25": float(lexical_z[i])}
            if dense is not None:
                parts["dense"] = float(dense[i])
            if bonus[i]:
                parts["constraints"] = float(bonus[i])
            expanded: tuple[str, ...] = ()
            if feedback is not None and i in feedback.parts:
                parts["feedback"] = feedback.parts[i]
                present = set(self.tokens[row])
                expanded = tuple(t for t in feedback.terms if t in present and worth_showing(t))[:SHARED_TERMS_SHOWN]  # fmt: skip
            explanation = (
                self._explain(query, query_tokens, query_via, row, parts, expanded)
                if explain
                else Explanation((), (), parts)
            )
            results.append(Match(doc.id, float(total[i]), explanation))
            if len(results) == k:
                break
        return results

    def _explain(
        self,
        query: MatchQuery,
        query_tokens: list[str],
        query_via: dict[str, str],
        i: int,
        parts: dict[str, float],
        expanded: tuple[str, ...] = (),
    ) -> Explanation:
        doc = self.documents[i]
        present = set(self.tokens[i])
        doc_via = self._doc_aliases(i)
        shared = [t for t in dict.fromkeys(query_tokens) if t in present and worth_showing(t)]
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
        lay = lay_sources(self.tokens[i])
        lay_terms = tuple(
            (t, lay[t])
            for t in dict.fromkeys(query_tokens)
            if t in lay and t not in present and worth_showing(t)
        )[:SHARED_TERMS_SHOWN]
        constraints = []
        if query.field:
            constraints.append(
                Constraint("field", doc.field == query.field, query.field, doc.field)
            )
        if query.min_trl is not None:
            met = doc.trl is None or doc.trl >= query.min_trl
            constraints.append(Constraint("trl", met, query.min_trl, doc.trl))
        return Explanation(
            tuple(shared[:SHARED_TERMS_SHOWN]), tuple(constraints), parts, synonyms, expanded,
            lay_terms,
        )  # fmt: skip

    def _doc_aliases(self, i: int) -> dict[str, str]:
        """concept → alias as written in document ``i``, from its indexed words (its words as
        written come first, then the known words inside long ones; the first alias of a concept
        is shown). Segmenting the text again cost ~1 ms per explained document."""
        found = self._aliases.get(i)
        if found is None:
            aliases = alias_concepts()
            found = {}
            for word in self.tokens[i]:
                for term in aliases.get(word, ()):
                    found.setdefault(term, word)
            if len(self._aliases) >= ALIAS_CACHE_SIZE:
                self._aliases.clear()
            self._aliases[i] = found
        return found

    def _positions(self, ids: Collection[str]) -> npt.NDArray[np.intp]:
        """Positions of the documents with these ids (ids not in the index are left out)."""
        if self._position is None:
            self._position = {doc.id: i for i, doc in enumerate(self.documents)}
        found = [self._position[i] for i in ids if i in self._position]
        return np.array(found, dtype=np.intp)

    def _idf(self, term: str) -> float:
        n, df = len(self.documents), self.document_frequency.get(term, 0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def _indexed(tokens: list[str]) -> list[str]:
    """What BM25 indexes a document under: its words, then the words of the lay expressions of
    the concepts it names (``text.lay_words``)."""
    return (tokens + lay_words(tokens)) if tokens else [""]


def _mean_std(scores: npt.NDArray[np.float32]) -> tuple[float, float]:
    """Mean and population standard deviation (float32 sums are pairwise: precise enough)."""
    mean = float(scores.sum(dtype=np.float64)) / len(scores)
    squares = float(np.einsum("i,i->", scores, scores))  # one thread, as ``retrieval.dot``
    return mean, math.sqrt(max(squares / len(scores) - mean * mean, 0.0))


def _union(parts: list[npt.NDArray[np.intp]]) -> npt.NDArray[np.intp]:
    """The distinct indices of all parts, ascending (a sort beats ``np.unique``'s hashing)."""
    joined = np.sort(np.concatenate(parts))
    keep = np.empty(len(joined), dtype=bool)
    keep[:1] = True
    np.not_equal(joined[1:], joined[:-1], out=keep[1:])
    union: npt.NDArray[np.intp] = joined[keep]
    return union


def _z_from(
    scores: npt.NDArray[np.float64], mean_std: tuple[float, float]
) -> npt.NDArray[np.float64]:
    """z-scores of some documents, with the mean and spread of the whole corpus."""
    mean, spread = mean_std
    if spread == 0.0:
        return np.zeros_like(scores)
    normalized: npt.NDArray[np.float64] = (scores - mean) / spread
    return normalized


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
