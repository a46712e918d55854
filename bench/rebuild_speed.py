"""What a save costs each web process: the match index rebuilt after one record changed, reusing
the previous index (``MatchIndex(previous=...)``: BM25 word counts, inverted-file cells) beside a
build from scratch of the same corpus in the same run, BM25 alone and with vectors.

    .venv/bin/python bench/rebuild_speed.py [--size 100000] [--queries 50] [--dim 896]

The corpus is ``bench/match_speed.py``'s: documents recombined from tokenized demo texts, vectors
near topics (``--vectors topics`` there). One record's text and vector change and one record is
added, as after a save. Recall@10: the share of the exhaustive path's top 10 (every document
scored) that the index's fast path returns, averaged over the queries. BM25's scores are the same
bit for bit either way; with vectors both indexes' cells are approximate, trained on another sample
or kept from the previous corpus. Asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import match_speed  # noqa: E402

from innobridge.core.demo import phrases, text  # noqa: E402
from innobridge.matching.engine import Document, MatchIndex, MatchQuery  # noqa: E402
from innobridge.matching.text import tokenize  # noqa: E402


def timed(build: object) -> tuple[float, MatchIndex]:
    started = time.process_time()
    index = build()  # type: ignore[operator]
    return time.process_time() - started, index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--dim", type=int, default=match_speed.DIM)
    args = parser.parse_args()
    match_speed.DIM = args.dim
    rng = random.Random(7)
    pool_texts = [text.project_text(rng, rng.choice(phrases.FIELDS)) for _ in range(3000)]
    pool = [tokenize(f"{p.title}。{p.summary}") for p in pool_texts]
    vector_rng = np.random.default_rng(3)
    topics = match_speed.unit(vector_rng.standard_normal((len(pool), args.dim)).astype(np.float32))
    shared = match_speed.unit(vector_rng.standard_normal((1, args.dim)).astype(np.float32))

    size = args.size
    pairs = np.array([(rng.randrange(len(pool)), rng.randrange(len(pool))) for _ in range(size)])
    tokens = [pool[a][:40] + pool[b][40:80] for a, b in pairs.tolist()]
    fields = [f"f{i}" for i in range(15)]
    documents = [Document(str(i), "", fields[i % 15], 1 + i % 9) for i in range(size)]
    vectors = match_speed.topic_vectors(pairs[:, 0], pairs[:, 1], topics, shared, seed=size)

    demands = [text.demand_text(rng, rng.choice(phrases.FIELDS), "technology") for _ in range(args.queries)]  # fmt: skip
    query_texts = [f"{d.title}。{d.description}" for d in demands]
    near = vector_rng.integers(len(pool), size=len(query_texts))
    query_vectors = match_speed.topic_vectors(near, near, topics, shared, seed=2)
    fixed = match_speed.FixedQueries(dict(zip(query_texts, query_vectors, strict=True)))

    # a save: record 5 gets a new text and vector, one record is added
    saved = text.project_text(rng, phrases.FIELDS[3])
    tokens2 = list(tokens)
    tokens2[5] = tokenize(f"{saved.title}。{saved.summary}")
    tokens2.append(list(pool[11]))
    documents2 = [*documents, Document(str(size), "", fields[0], 5)]
    vectors2 = np.concatenate([vectors, vectors[11:12]])
    vectors2[5] = query_vectors[0]

    print(f"{size:,} technologies, {args.dim}-dimensional vectors, {len(query_texts)} queries; CPU seconds of this process")  # fmt: skip
    print(f"\n{'':<16} {'first build':>19} {'after a save: anew':>25} {'reusing the previous':>25}")  # fmt: skip
    print(f"{'index':<16} {'CPU':>8} {'recall@10':>10} {'CPU':>14} {'recall@10':>10} {'CPU':>14} {'recall@10':>10}")  # fmt: skip
    for label, dense in (("BM25 only", False), ("BM25 + vectors", True)):
        extra = {"vectors": vectors, "embedder": fixed} if dense else {}
        extra2 = {"vectors": vectors2, "embedder": fixed} if dense else {}
        first, previous = timed(lambda extra=extra: MatchIndex(documents, tokens=tokens, **extra))
        scratch_s, scratch = timed(lambda extra2=extra2: MatchIndex(documents2, tokens=tokens2, **extra2))  # fmt: skip
        reused_s, reused = timed(lambda extra2=extra2, previous=previous: MatchIndex(documents2, tokens=tokens2, previous=previous, **extra2))  # fmt: skip
        agree = {"first": 0.0, "scratch": 0.0, "reused": 0.0}
        for query_text in query_texts:
            query = MatchQuery(query_text)
            for name, index in (("first", previous), ("scratch", scratch), ("reused", reused)):
                exact = {m.id for m in index.search(query, k=10, exact=True, explain=False)}
                found = {m.id for m in index.search(query, k=10, explain=False)}
                agree[name] += len(found & exact) / 10 / len(query_texts)
        print(f"{label:<16} {first:>7.1f}s {agree['first']:>10.3f} {scratch_s:>13.1f}s {agree['scratch']:>10.3f} {reused_s:>13.1f}s {agree['reused']:>10.3f}")  # fmt: skip
        del previous, scratch, reused


if __name__ == "__main__":
    main()
