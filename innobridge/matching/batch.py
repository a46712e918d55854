"""Batch matching for analysts: JSONL in, a TREC run out, no database and no network.

SUPPLY lines ``{"id", "title", "summary", "field"?, "trl"?}``, DEMAND lines ``{"id", "title",
"summary", "field"?, "min_trl"?}`` (extra keys ignored). Output, best first, ``k`` per demand:
``demand_id Q0 supply_id rank score innobridge``.

The supply file is streamed twice (counting, then scoring in chunks) through a temporary token
file, and every demand keeps only its best candidates, so memory stays bounded however long the
supply file is. Any malformed line stops the run with its line number before anything is written.

Each technology is indexed for BM25 under its written words and the words of its concepts' lay
expressions, and a demand's coverage is counted against the written words, as in the engine
(``engine._indexed``). Scores are fused as in the in-memory engine (``fusion.py``), feedback included: with an embedder,
the candidates keep their vectors and words, the dense moments are summed while scoring, and one
more pass over the token file counts what the feedback terms need (their document frequencies,
and the words of the fixed sample their BM25 statistics come from).
"""

from __future__ import annotations

import heapq
import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from innobridge.matching.dense import Embedder
from innobridge.matching.fusion import (
    FEEDBACK_DEPTH,
    FEEDBACK_DOCUMENTS,
    RunningStats,
    constraint_bonus,
    coverage,
    feedback_scores,
    lexical_weight,
)
from innobridge.matching.lexical import CorpusStats, bm25, bm25_weighted
from innobridge.matching.retrieval import DenseMoments, statistics_sample
from innobridge.matching.text import document_tokens, lay_words, query_tokens, telling

RUN_TAG = "innobridge"
CANDIDATES = 100
CHUNK = 512


class InputError(ValueError):
    """A line of an input file is not what the contract says; the message names the line."""


@dataclass(frozen=True)
class Demand:
    id: str
    text: str
    field: str | None
    min_trl: int | None


@dataclass(frozen=True)
class Supply:
    id: str
    text: str
    field: str | None
    trl: int | None


def _records(path: Path, label: str) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise InputError(f"{label} line {number}: not valid JSON ({error.msg})") from None
            if not isinstance(record, dict):
                raise InputError(f"{label} line {number}: expected a JSON object")
            yield number, record


def _text(record: dict[str, Any], key: str, label: str, number: int) -> str:
    value = record.get(key)
    if not isinstance(value, str):
        raise InputError(f"{label} line {number}: '{key}' must be a string")
    return value


def _identifier(record: dict[str, Any], label: str, number: int) -> str:
    value = _text(record, "id", label, number)
    if not value or any(char.isspace() for char in value):
        raise InputError(f"{label} line {number}: 'id' must be a non-empty string without spaces")
    return value


def _optional(record: dict[str, Any], key: str, kind: type, label: str, number: int) -> Any:
    value = record.get(key)
    if value is None:
        return None
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise InputError(f"{label} line {number}: '{key}' must be an integer")
    if kind is str and not isinstance(value, str):
        raise InputError(f"{label} line {number}: '{key}' must be a string")
    return value


def read_demands(path: Path) -> list[Demand]:
    demands = []
    for number, record in _records(path, "DEMAND"):
        title = _text(record, "title", "DEMAND", number)
        summary = _text(record, "summary", "DEMAND", number)
        demands.append(
            Demand(
                id=_identifier(record, "DEMAND", number),
                text=f"{title}。{title}。{summary}",  # the title says what is wanted: count it twice
                field=_optional(record, "field", str, "DEMAND", number),
                min_trl=_optional(record, "min_trl", int, "DEMAND", number),
            )
        )
    return demands


def read_supply(path: Path) -> Iterator[Supply]:
    for number, record in _records(path, "SUPPLY"):
        title = _text(record, "title", "SUPPLY", number)
        summary = _text(record, "summary", "SUPPLY", number)
        yield Supply(
            id=_identifier(record, "SUPPLY", number),
            text=f"{title}。{summary}",
            field=_optional(record, "field", str, "SUPPLY", number),
            trl=_optional(record, "trl", int, "SUPPLY", number),
        )


_Item = tuple[float, int, str, float, float, list[str], list[str], Any]


class _Best:
    """The ``size`` highest-scoring candidates of one list (ties: earlier supply first), each
    remembered with its scores in both lists so they can be fused at the end, and (for feedback)
    with its words and vector."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.heap: list[_Item] = []

    def offer(
        self,
        score: float,
        order: int,
        supply_id: str,
        lexical: float,
        dense: float,
        tokens: list[str],
        lay: list[str],
        vector: npt.NDArray[np.float32] | None,
    ) -> None:
        if len(self.heap) < self.size or (score, -order) > self.heap[0][:2]:
            kept = vector.copy() if vector is not None else None  # not a view of the chunk
            item = (score, -order, supply_id, lexical, dense, tokens, lay, kept)
            if len(self.heap) < self.size:
                heapq.heappush(self.heap, item)
            else:
                heapq.heapreplace(self.heap, item)


@dataclass
class _DemandState:
    lexical: _Best
    semantic: _Best
    lexical_stats: RunningStats
    dense_stats: RunningStats


def run(
    supply_path: Path,
    demand_path: Path,
    k: int,
    out: TextIO,
    *,
    embedder: Embedder | None = None,
    candidates: int = CANDIDATES,
) -> int:
    """Write the run to ``out``; returns the number of lines written."""
    if k < 1:
        raise InputError("--k must be at least 1")
    demands = read_demands(demand_path)
    queries = [query_tokens(demand.text) for demand in demands]
    asked = frozenset(term for query in queries for term in query)
    stats = CorpusStats(terms=asked)  # of the indexed words (written and lay), for BM25
    written = CorpusStats(terms=asked)  # of the written words: a demand's coverage
    postings: dict[str, list[int]] = {}
    for index, query in enumerate(queries):
        for term in set(query):
            postings.setdefault(term, []).append(index)
    depth = max(k, candidates)
    states = [
        _DemandState(_Best(depth), _Best(depth), RunningStats(), RunningStats()) for _ in demands
    ]
    meta: dict[str, tuple[int, str | None, int | None]] = {}
    query_vectors = embedder.queries([d.text for d in demands]) if embedder and demands else None
    moments: list[DenseMoments] = []  # the dense moments, once the first vectors are seen

    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        for supply in read_supply(supply_path):  # pass 1: validate, count, spool tokens
            tokens = document_tokens(supply.text)
            lay = lay_words(tokens)  # BM25 indexes both, as the engine does (engine._indexed)
            written.add(tokens)
            stats.add(tokens + lay)
            spool.write(
                json.dumps([supply.id, supply.field, supply.trl, supply.text, tokens, lay]) + "\n"
            )
        spool.seek(0)
        order = 0
        chunk: list[list[Any]] = []
        for line in spool:  # pass 2: score in chunks, keep the best per demand and list
            chunk.append(json.loads(line))
            if len(chunk) == CHUNK:
                order = _score_chunk(
                    chunk, order, stats, queries, postings, states, embedder, query_vectors, meta,
                    moments,
                )  # fmt: skip
                chunk = []
        if chunk:
            _score_chunk(
                chunk, order, stats, queries, postings, states, embedder, query_vectors, meta,
                moments,
            )  # fmt: skip

        firsts: list[list[_Fused]] = []
        weights: list[float] = []
        for demand, state, query in zip(demands, states, queries, strict=True):
            weight = lexical_weight(coverage(query, lambda t: written.df[t] > 0)) if embedder is not None else 1.0  # fmt: skip
            fused: dict[str, _Fused] = {}
            for item in state.lexical.heap + state.semantic.heap:
                _score, _order, supply_id, lexical, dense, tokens, lay, vector = item
                position, field, trl = meta[supply_id]
                total = weight * state.lexical_stats.z(lexical) + constraint_bonus(
                    demand.field, demand.min_trl, field, trl
                )
                if embedder is not None:
                    total += state.dense_stats.z(dense)
                fused[supply_id] = _Fused(
                    supply_id, total, position, field or "", tokens, lay, vector
                )
            firsts.append(sorted(fused.values(), key=lambda f: (-f.score, f.position)))
            weights.append(weight)
        rankings = firsts
        if moments and any(weight < 1.0 for weight in weights):
            rankings = _with_feedback(demands, queries, firsts, weights, moments[0], spool)

    lines = []
    for demand, ranking in zip(demands, rankings, strict=True):
        for rank, fused_item in enumerate(ranking[:k], start=1):
            lines.append(
                f"{demand.id} Q0 {fused_item.supply_id} {rank} {fused_item.score:.6f} {RUN_TAG}\n"
            )
    out.writelines(lines)
    return len(lines)


@dataclass
class _Fused:
    supply_id: str
    score: float
    position: int
    field: str
    tokens: list[str]  # as written (feedback takes its terms from these)
    lay: list[str]  # the lay words BM25 indexes it under too
    vector: Any


def _with_feedback(
    demands: list[Demand],
    queries: list[list[str]],
    firsts: list[list[_Fused]],
    weights: list[float],
    moments: DenseMoments,
    spool: TextIO,
) -> list[list[_Fused]]:
    """The rankings after feedback (``fusion.py``), as the engine re-scores its first ranking's
    head. One more pass over the token file: the document frequencies of the feedback documents'
    words, and the words of the fixed sample the expansion terms' BM25 statistics come from."""
    wanted = {
        term
        for first, weight in zip(firsts, weights, strict=True)
        if weight < 1.0
        for fused in first[:FEEDBACK_DOCUMENTS]
        for term in fused.tokens
    }
    counts = CorpusStats(terms=frozenset(wanted))
    sample = statistics_sample(moments.size).tolist()
    sampled: list[tuple[Counter[str], int]] = []
    spool.seek(0)
    for position, line in enumerate(spool):
        _id, _field, _trl, _text, tokens, lay = json.loads(line)
        counts.add(tokens + lay)
        if len(sampled) < len(sample) and sample[len(sampled)] == position:
            sampled.append((Counter(tokens + lay), len(tokens) + len(lay)))
    rankings = []
    for demand, query, first, weight in zip(demands, queries, firsts, weights, strict=True):
        if weight >= 1.0 or not first:
            rankings.append(first)
        else:
            rankings.append(_rescored(demand, set(query), first, 1.0 - weight, counts, sampled, moments))  # fmt: skip
    return rankings


def _score_chunk(
    chunk: list[list[Any]],
    order: int,
    stats: CorpusStats,
    queries: list[list[str]],
    postings: dict[str, list[int]],
    states: list[_DemandState],
    embedder: Embedder | None,
    query_vectors: Any,
    meta: dict[str, tuple[int, str | None, int | None]],
    moments: list[DenseMoments],
) -> int:
    vectors = embedder.passages([row[3] for row in chunk]) if embedder and queries else None
    dense_scores = vectors @ query_vectors.T if vectors is not None else None
    if vectors is not None:
        if not moments:
            moments.append(DenseMoments(vectors))
        else:
            moments[0].add(vectors)
    for position, (supply_id, field, trl, _text, tokens, lay) in enumerate(chunk):
        meta.setdefault(supply_id, (order, field, trl))
        indexed = tokens + lay
        touched = {i for term in set(indexed) for i in postings.get(term, ())}
        vector = vectors[position] if vectors is not None else None
        for index, state in enumerate(states):
            lexical = bm25(queries[index], indexed, stats) if index in touched else 0.0
            dense = float(dense_scores[position, index]) if dense_scores is not None else 0.0
            state.lexical_stats.add(lexical)
            state.lexical.offer(lexical, order, supply_id, lexical, dense, tokens, lay, vector)
            if dense_scores is not None:
                state.dense_stats.add(dense)
                state.semantic.offer(dense, order, supply_id, lexical, dense, tokens, lay, vector)
        order += 1
    return order


def _rescored(
    demand: Demand,
    asked: set[str],
    first: list[_Fused],
    weight: float,
    counts: CorpusStats,
    sampled: list[tuple[Counter[str], int]],
    moments: DenseMoments,
) -> list[_Fused]:
    """One demand's ranking after feedback on the head of its first ranking."""
    head = first[:FEEDBACK_DEPTH]
    head_counts = [(Counter(f.tokens + f.lay), len(f.tokens) + len(f.lay)) for f in head]

    def expanded(
        terms: list[tuple[str, float]],
    ) -> tuple[npt.NDArray[np.float64], tuple[float, float]]:
        values = np.array([bm25_weighted(terms, c, n, counts) for c, n in head_counts])
        spread = np.array([bm25_weighted(terms, c, n, counts) for c, n in sampled])
        return values, (float(spread.mean()), float(spread.std()))

    def tokens(i: int) -> list[str]:
        return head[i].tokens

    def skip(term: str) -> bool:
        return term in asked or not telling(term)

    fed = feedback_scores(
        np.array([f.score for f in head]),
        np.stack([f.vector for f in head]),
        [f.field for f in head],
        tokens,
        spread=moments.mean_std,
        expanded=expanded,
        idf=counts.idf,
        skip=skip,
        field=demand.field,
        weight=weight,
    )
    if fed is None:  # the best documents disagree on the field: the first ranking stands
        return first
    scores, _terms = fed
    rescored = [
        _Fused(f.supply_id, f.score + float(extra), f.position, f.field, f.tokens, f.lay, f.vector)
        for f, extra in zip(head, scores, strict=True)
    ]
    rescored.sort(key=lambda f: (-f.score, f.position))
    return rescored + first[FEEDBACK_DEPTH:]
