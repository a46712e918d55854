"""Dense candidates from pgvector (``INNOBRIDGE_DENSE_INDEX=pgvector``) beside the in-process
inverted file (``IVFIndex``, the default), in one run on the same vectors: build time, p50/p95 of
one query's candidates, recall of the exact nearest records, and the memory each process holds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/pgvector_speed.py [--size 100000] [--queries 100] [--dim 896]

Needs PostgreSQL with the ``vector`` extension (``deploy/install-pgvector.sh``); works in its own
database ``innobridge_pgvector_bench`` (made and dropped). Vectors are synthetic, as in
``bench/match_speed.py --vectors topics`` (near one of 2,000 topics, with a shared component as
real e5 vectors have); queries lie near one topic. Recall@k: the share of the exact k nearest
(numpy brute force) among the candidates. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = "innobridge_pgvector_bench"


def vectors(size: int, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((2000, dim)).astype(np.float32)
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    shared = rng.standard_normal(dim).astype(np.float32)
    shared /= np.linalg.norm(shared)

    def near(which: np.ndarray, spread: float) -> np.ndarray:
        out = topics[which] + 1.7 * shared + spread * rng.standard_normal((len(which), dim)).astype(np.float32) / np.sqrt(dim)  # fmt: skip
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)

    return near(rng.integers(0, 2000, size), 1.0), near(rng.integers(0, 2000, 1000), 1.0)


def percentiles(samples: list[float]) -> str:
    ms = np.array(samples) * 1000
    return f"{np.percentile(ms, 50):7.2f} / {np.percentile(ms, 95):7.2f}"


def recall(found: np.ndarray, exact: np.ndarray) -> float:
    return len(set(found.tolist()) & set(exact.tolist())) / len(exact)


def _asking(nearest: object, count: int) -> object:
    from unittest.mock import patch

    from innobridge.core import pgvector

    def search(q: np.ndarray) -> np.ndarray:
        with patch.object(pgvector, "CANDIDATES", count):
            return nearest.search(q, 0)[0]  # type: ignore[attr-defined]

    return search


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--dim", type=int, default=384 + 512)
    parser.add_argument("--candidates", type=int, nargs="+", default=[100, 200, 1000])
    args = parser.parse_args()

    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        admin.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + BENCH_DB
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innobridge.settings")
    import django

    django.setup()
    from django.db import connection

    from innobridge.core import pgvector
    from innobridge.matching.retrieval import IVFIndex, Retrieval, dot

    try:
        if not pgvector.available():
            sys.exit("this PostgreSQL has no vector extension (deploy/install-pgvector.sh)")
        corpus, queries = vectors(args.size, args.dim, seed=7)
        queries = queries[: args.queries]
        ids = [str(i + 1) for i in range(args.size)]
        print(f"{args.size:,} vectors of {args.dim} dimensions, {len(queries)} queries, PostgreSQL "
              f"{connection.pg_version // 10000}, pgvector")  # fmt: skip

        started = time.perf_counter()
        pgvector.sync("projects", ids, ids, corpus, "bench")
        pg_build = time.perf_counter() - started
        started = time.perf_counter()
        resaved = corpus.copy()
        resaved[5] = queries[0]  # one record saved: what a rebuild after a save costs
        pgvector.sync("projects", ids, [*ids[:5], "changed", *ids[6:]], resaved, "bench")
        pg_resync = time.perf_counter() - started
        started = time.perf_counter()  # as a rebuild after a save does: the changed row only
        resaved[6] = queries[1]
        pgvector.patched("projects", ids, resaved, "bench", {6: "changed"}, [])
        pg_patch = time.perf_counter() - started
        nearest = pgvector.PgVectorNearest("projects", ids, resaved)

        retrieval = Retrieval()
        started = time.perf_counter()
        ivf = IVFIndex(resaved, retrieval.cells(len(resaved)), seed=0)
        ivf_build = time.perf_counter() - started

        exact = [np.argsort(-dot(resaved, q))[:100] for q in queries]
        rows = []
        searches = [("IVF, in process (64 probes)", lambda q: ivf.search(q, retrieval.probes)[0])]
        for count in args.candidates:
            searches.append((f"pgvector HNSW, {count} candidates", _asking(nearest, count)))
        for name, search in searches:
            for q in queries[:5]:
                search(q)  # warm
            times, at10, at100, sizes = [], [], [], []
            for q, best in zip(queries, exact, strict=True):
                t0 = time.perf_counter()
                found = search(q)
                times.append(time.perf_counter() - t0)
                at10.append(recall(found, best[:10]))
                at100.append(recall(found, best))
                sizes.append(len(found))
            rows.append((name, percentiles(times), np.mean(at10), np.mean(at100), np.mean(sizes)))
        print()
        print(f"{'dense candidates':<36} {'p50 / p95 ms':>17} {'recall@10':>10} {'recall@100':>11} {'candidates':>11}")  # fmt: skip
        for name, pcts, r10, r100, size in rows:
            print(f"{name:<36} {pcts:>17} {r10:>10.3f} {r100:>11.3f} {size:>11.0f}")
        print()
        grouped = ivf.grouped.nbytes + ivf.centroids.nbytes + ivf.order.nbytes
        print(f"build: IVF {ivf_build:.1f} s per process per rebuild · pgvector {pg_build:.1f} s "
              f"once (COPY and HNSW graph); after one saved record {pg_patch:.2f} s (every row "
              f"compared, hourly: {pg_resync:.2f} s)")  # fmt: skip
        print(f"memory per process beside the vectors ({resaved.nbytes / 2**20:.0f} MB): "
              f"IVF {grouped / 2**20:.0f} MB · pgvector {sys.getsizeof(nearest.position) / 2**20:.0f} MB (its id map)")  # fmt: skip
    finally:
        connection.close()
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
