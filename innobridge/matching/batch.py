"""Batch matching for analysts: JSONL in, a TREC run out, no database and no network.

SUPPLY lines ``{"id", "title", "summary", "field"?, "trl"?}``, DEMAND lines ``{"id", "title",
"summary", "field"?, "min_trl"?}`` (extra keys ignored). Output, best first, ``k`` per demand:
``demand_id Q0 supply_id rank score innobridge``.

The supply file is streamed twice (counting, then scoring in chunks) through a temporary token
file, and every demand keeps only its best candidates, so memory stays bounded however long the
supply file is. Any malformed line stops the run with its line number before anything is written.
"""

from __future__ import annotations

import heapq
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from innobridge.matching.dense import Embedder
from innobridge.matching.fusion import RunningStats, constraint_bonus, coverage, lexical_weight
from innobridge.matching.lexical import CorpusStats, bm25
from innobridge.matching.text import document_tokens, query_tokens

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


class _Best:
    """The ``size`` highest-scoring candidates of one list (ties: earlier supply first), each
    remembered with its scores in both lists so they can be fused at the end."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.heap: list[tuple[float, int, str, float, float]] = []

    def offer(self, score: float, order: int, supply_id: str, lexical: float, dense: float) -> None:
        item = (score, -order, supply_id, lexical, dense)
        if len(self.heap) < self.size:
            heapq.heappush(self.heap, item)
        elif item[:2] > self.heap[0][:2]:
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
    stats = CorpusStats(terms=frozenset(term for query in queries for term in query))
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

    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        for supply in read_supply(supply_path):  # pass 1: validate, count, spool tokens
            tokens = document_tokens(supply.text)
            stats.add(tokens)
            spool.write(
                json.dumps([supply.id, supply.field, supply.trl, supply.text, tokens]) + "\n"
            )
        spool.seek(0)
        order = 0
        chunk: list[list[Any]] = []
        for line in spool:  # pass 2: score in chunks, keep the best per demand and list
            chunk.append(json.loads(line))
            if len(chunk) == CHUNK:
                order = _score_chunk(
                    chunk, order, stats, queries, postings, states, embedder, query_vectors, meta
                )
                chunk = []
        if chunk:
            _score_chunk(
                chunk, order, stats, queries, postings, states, embedder, query_vectors, meta
            )

    lines = []
    for demand, state, query in zip(demands, states, queries, strict=True):
        fused: dict[str, tuple[float, int]] = {}
        weight = lexical_weight(coverage(query, stats.df.__getitem__)) if embedder is not None else 1.0  # fmt: skip
        for _score, _order, supply_id, lexical, dense in state.lexical.heap + state.semantic.heap:
            position, field, trl = meta[supply_id]
            total = weight * state.lexical_stats.z(lexical) + constraint_bonus(
                demand.field, demand.min_trl, field, trl
            )
            if embedder is not None:
                total += state.dense_stats.z(dense)
            fused[supply_id] = (total, position)
        ranked = sorted(fused.items(), key=lambda item: (-item[1][0], item[1][1]))[:k]
        for rank, (supply_id, (score, _position)) in enumerate(ranked, start=1):
            lines.append(f"{demand.id} Q0 {supply_id} {rank} {score:.6f} {RUN_TAG}\n")
    out.writelines(lines)
    return len(lines)


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
) -> int:
    vectors = embedder.passages([row[3] for row in chunk]) if embedder and queries else None
    dense_scores = vectors @ query_vectors.T if vectors is not None else None
    for position, (supply_id, field, trl, _text, tokens) in enumerate(chunk):
        meta.setdefault(supply_id, (order, field, trl))
        touched = {i for term in set(tokens) for i in postings.get(term, ())}
        for index, state in enumerate(states):
            lexical = bm25(queries[index], tokens, stats) if index in touched else 0.0
            dense = float(dense_scores[position, index]) if dense_scores is not None else 0.0
            state.lexical_stats.add(lexical)
            state.lexical.offer(lexical, order, supply_id, lexical, dense)
            if dense_scores is not None:
                state.dense_stats.add(dense)
                state.semantic.offer(dense, order, supply_id, lexical, dense)
        order += 1
    return order
