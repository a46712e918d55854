"""Candidate generation for large indexes (retrieval.py): on a corpus forced through it, the fast
path returns what the exhaustive one does, with the same explanations; small corpora keep the
exhaustive path. No timing here (bench/match_speed.py measures it)."""

from __future__ import annotations

import random
from dataclasses import dataclass

import bm25s
import numpy as np
import pytest

from innobridge.core.demo import phrases, text
from innobridge.matching.engine import Document, MatchIndex, MatchQuery
from innobridge.matching.retrieval import (
    DenseMoments,
    IVFIndex,
    PostingScorer,
    Retrieval,
    SampledPostings,
    posting_values,
    statistics_sample,
    top_candidates,
)
from innobridge.matching.text import document_tokens, query_tokens

DIM = 48
TOPICS = 40
# 2,000 documents through the fast path: about 80 lexical candidates, 4 of 40 cells scanned
FORCED = Retrieval(exact_below=0, candidates=40, probes=4, lists=40)


def unit(matrix: np.ndarray) -> np.ndarray:
    return (matrix / np.linalg.norm(matrix, axis=-1, keepdims=True)).astype(np.float32)


class FixedQueries:
    name = "fixed"

    def __init__(self) -> None:
        self.vectors: dict[str, np.ndarray] = {}

    def queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])

    def passages(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError


@dataclass
class Corpus:
    documents: list[Document]
    vectors: np.ndarray
    queries: list[MatchQuery]
    embedder: FixedQueries


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    """2,000 demo technologies with vectors near one of 40 topics (sharing one component, as
    e5 vectors do), and 20 demands whose vectors lie near a topic."""
    rng = random.Random(11)
    vector_rng = np.random.default_rng(11)
    topics = unit(vector_rng.standard_normal((TOPICS, DIM)))
    shared = unit(vector_rng.standard_normal(DIM))

    def near(topic: int) -> np.ndarray:
        own = unit(topics[topic] + 0.6 * unit(vector_rng.standard_normal(DIM)))
        return unit(own + 1.7 * shared)

    documents, vectors = [], []
    for n in range(2000):
        field = phrases.FIELDS[n % len(phrases.FIELDS)]
        item = text.project_text(rng, field)
        documents.append(Document(f"T{n}", f"{item.title}。{item.summary}", field, 1 + n % 9))
        vectors.append(near(int(vector_rng.integers(TOPICS))))
    embedder = FixedQueries()
    queries = []
    for n in range(20):
        field = phrases.FIELDS[(3 * n) % len(phrases.FIELDS)]
        item = text.demand_text(rng, field, "technology")
        query_text = f"{item.title}。{item.title}。{item.description}"
        embedder.vectors[query_text] = near(int(vector_rng.integers(TOPICS)))
        queries.append(MatchQuery(query_text, field=field, min_trl=6 if n % 2 else None))
    return Corpus(documents, np.stack(vectors), queries, embedder)


@pytest.fixture(scope="module")
def forced(corpus: Corpus) -> MatchIndex:
    return MatchIndex(
        corpus.documents, vectors=corpus.vectors, embedder=corpus.embedder, retrieval=FORCED
    )


def test_small_corpora_keep_the_exhaustive_path(corpus: Corpus) -> None:
    index = MatchIndex(corpus.documents[:300], vectors=corpus.vectors[:300], embedder=corpus.embedder)  # fmt: skip
    assert not index._fast_enough(10)
    for query in corpus.queries[:5]:
        assert index.search(query, k=10) == index.search(query, k=10, exact=True)


def test_forced_fast_path_finds_what_the_exhaustive_path_finds(
    corpus: Corpus, forced: MatchIndex
) -> None:
    assert forced._fast_enough(10)
    recalls = []
    for query in corpus.queries:
        fast = forced.search(query, k=10)
        exact = forced.search(query, k=10, exact=True)
        assert len(fast) == 10
        recalls.append(len({m.id for m in fast} & {m.id for m in exact}) / 10)
        # a document found by both is scored alike (the z-statistics are the whole corpus'; float32
        # products summed in another order differ in the last bits)
        exact_scores = {m.id: m.score for m in exact}
        for match in fast:
            if match.id in exact_scores:
                assert match.score == pytest.approx(exact_scores[match.id], abs=1e-4)
        assert [m.score for m in fast] == sorted((m.score for m in fast), reverse=True)
    assert np.mean(recalls) >= 0.95


def test_fast_path_results_are_explained_as_the_exhaustive_ones(
    corpus: Corpus, forced: MatchIndex
) -> None:
    for query in corpus.queries:
        exact = {m.id: m.explanation for m in forced.search(query, k=10, exact=True)}
        for match in forced.search(query, k=10):
            explanation = match.explanation
            # demo demands use words the corpus mostly knows: some feedback, never all of it
            assert set(explanation.parts) >= {"bm25", "dense", "feedback"}
            # words to show: its own shared with the match, or its best matches' (feedback)
            assert explanation.shared_terms or explanation.expanded_terms
            kinds = [c.kind for c in explanation.constraints]
            assert kinds == ["field", "trl"] if query.min_trl is not None else kinds == ["field"]
            if match.id in exact:
                wanted = exact[match.id]
                assert explanation.shared_terms == wanted.shared_terms
                assert explanation.synonyms == wanted.synonyms
                assert explanation.expanded_terms == wanted.expanded_terms
                assert explanation.constraints == wanted.constraints
                assert explanation.parts == pytest.approx(wanted.parts, abs=1e-4)


def test_lexical_only_index_uses_bm25_candidates(corpus: Corpus) -> None:
    index = MatchIndex(corpus.documents, retrieval=FORCED)
    assert index._fast_enough(10)
    for query in corpus.queries:
        fast = [(m.id, m.score) for m in index.search(query, k=10)]
        exact = [(m.id, m.score) for m in index.search(query, k=10, exact=True)]
        # BM25 is exact and its best documents are always candidates: the same ranking
        assert [i for i, _s in fast] == [i for i, _s in exact]
        assert [s for _i, s in fast] == pytest.approx([s for _i, s in exact], abs=1e-5)


def test_what_candidates_cannot_answer_is_scored_exhaustively(
    corpus: Corpus, forced: MatchIndex
) -> None:
    query = corpus.queries[0]
    ranking = [m.id for m in forced.search(query, k=2000, exact=True)]
    assert forced.search(query, k=2000) == forced.search(query, k=2000, exact=True)  # too deep
    last = set(ranking[-5:])  # allowed: only documents far from the query on both sides
    tokens = query_tokens(query.text)
    assert forced._search_candidates(query, tokens, 2, last.__contains__) is None
    found = forced.search(query, k=2, allowed=last.__contains__)
    assert found == forced.search(query, k=2, allowed=last.__contains__, exact=True)
    assert [m.id for m in found] == [i for i in ranking if i in last][:2]
    unknown = MatchQuery("zzzz qqqq")  # no known word: the dense side alone
    corpus.embedder.vectors[unknown.text] = corpus.vectors[7]
    assert forced.search(unknown, k=1)[0].id == "T7"


def test_posting_scorer_scores_as_bm25s_does(corpus: Corpus) -> None:
    index = MatchIndex(corpus.documents[:500])
    assert index.bm25 is not None
    scores = index.bm25.scores
    scorer = PostingScorer(scores["data"], scores["indices"], scores["indptr"], 500)
    retriever: bm25s.BM25 = index.bm25
    for query in corpus.queries[:5]:
        tokens = query_tokens(query.text)
        expected = retriever.get_scores(tokens)
        found = scorer.scores(retriever.get_tokens_ids(tokens))
        assert np.allclose(found, expected, rtol=1e-6, atol=1e-6)


def test_dense_moments_give_the_corpus_mean_and_spread(corpus: Corpus) -> None:
    moments = DenseMoments(corpus.vectors, chunk=300)
    for query in corpus.queries[:5]:
        vector = corpus.embedder.vectors[query.text]
        scores = (corpus.vectors @ vector).astype(np.float64)
        mean, std = moments.mean_std(vector)
        assert mean == pytest.approx(scores.mean(), abs=1e-6)
        assert std == pytest.approx(scores.std(), rel=1e-5)


def test_inverted_file_scanning_every_cell_is_brute_force(corpus: Corpus) -> None:
    ivf = IVFIndex(corpus.vectors, 40, seed=3)
    recalls = []
    for query in corpus.queries:
        vector = corpus.embedder.vectors[query.text]
        ids, scores = ivf.search(vector, probes=40)
        assert sorted(ids.tolist()) == list(range(2000))
        assert np.allclose(scores, corpus.vectors[ids] @ vector, atol=1e-6)
        near_ids, near_scores = ivf.search(vector, probes=4)
        assert 0 < len(near_ids) < 2000
        best = set(np.argsort(-(corpus.vectors @ vector))[:10].tolist())
        found = set(near_ids[np.argsort(-near_scores)[:10]].tolist())
        recalls.append(len(best & found) / 10)
    assert np.mean(recalls) >= 0.9  # the nearest cells hold the nearest documents


def test_top_candidates_hold_the_best_scores() -> None:
    rng = np.random.default_rng(4)
    for scores in (
        rng.standard_normal(50_000).astype(np.float32),
        np.round(rng.standard_normal(50_000), 1).astype(np.float32),  # walls of ties
        np.zeros(50_000, dtype=np.float32),
    ):
        for wanted in (1, 10, 100, 1000):
            found = top_candidates(scores, wanted)
            assert len(found) >= wanted
            assert len(set(found.tolist())) == len(found)
            kth = np.sort(scores)[-wanted]
            assert set(np.flatnonzero(scores > kth).tolist()) <= set(found.tolist())
            assert scores[found].min() >= np.sort(scores)[-8 * wanted]
    assert sorted(top_candidates(np.ones(5, dtype=np.float32), 10).tolist()) == [0, 1, 2, 3, 4]


def test_feedback_statistics_read_postings_as_bm25s_scores(corpus: Corpus) -> None:
    index = MatchIndex(corpus.documents[:500])
    assert index.bm25 is not None
    scores = index.bm25.scores
    retriever: bm25s.BM25 = index.bm25
    tokens = [t for t in dict.fromkeys(query_tokens(corpus.queries[0].text)) if t in retriever.vocab_dict][:6]  # fmt: skip
    weighted = [(retriever.vocab_dict[t], 0.5 + i) for i, t in enumerate(tokens)]
    every = sum(w * retriever.get_scores([t]) for t, (_id, w) in zip(tokens, weighted, strict=True))
    rows = np.array([3, 499, 0, 250, 17])
    assert np.allclose(posting_values(scores, weighted, rows), every[rows], atol=1e-5)
    exact = SampledPostings(scores, 500)  # a small corpus is its own sample: exact statistics
    assert exact.mean_std(weighted) == pytest.approx((every.mean(), every.std()), rel=1e-5)
    sampled = SampledPostings(scores, 500, limit=120, seed=3, chunk=1000)
    chosen = statistics_sample(500, seed=3, limit=120)
    assert len(chosen) == 120
    assert sampled.mean_std(weighted) == pytest.approx(
        (every[chosen].mean(), every[chosen].std()), rel=1e-5
    )


def test_after_a_save_the_inverted_file_keeps_its_cells_and_places_the_changed_record(
    corpus: Corpus, forced: MatchIndex
) -> None:
    """A rebuild after one saved record does not train the cells again (a k-means over 100,000
    vectors): the others keep theirs, the changed one goes to its nearest, and the fast path
    still finds what the exhaustive one does."""
    from innobridge.matching.retrieval import _nearest

    documents = list(corpus.documents)
    vectors = corpus.vectors.copy()
    documents[7] = Document("T7", "万瓦级光纤激光厚板切割装备，切口无挂渣", documents[7].field, 8)
    vectors[7] = corpus.embedder.queries([corpus.queries[0].text])[0]  # moves to another cell
    tokens = list(forced.tokens)  # the same lists: the records did not change
    tokens[7] = document_tokens(documents[7].text)
    rebuilt = MatchIndex(
        documents, tokens=tokens, vectors=vectors, embedder=corpus.embedder, retrieval=FORCED,
        previous=forced,
    )  # fmt: skip
    assert isinstance(forced.ivf, IVFIndex)
    assert isinstance(rebuilt.ivf, IVFIndex)
    assert rebuilt.ivf.centroids is forced.ivf.centroids  # not trained again
    # every vector sits in its nearest cell, as a full assignment to those cells would place it
    assert np.array_equal(rebuilt.ivf.cell, _nearest(vectors, forced.ivf.centroids, forced.ivf.center))  # fmt: skip
    assert rebuilt.ivf.cell[7] != forced.ivf.cell[7]
    everything = rebuilt.ivf.search(corpus.embedder.queries([corpus.queries[0].text])[0], probes=40)
    assert 7 in everything[0].tolist()
    recalls = []
    for query in corpus.queries:
        fast = {m.id for m in rebuilt.search(query, k=10)}
        exact = {m.id for m in rebuilt.search(query, k=10, exact=True)}
        recalls.append(len(fast & exact) / 10)
    assert np.mean(recalls) >= 0.95
    corpus.embedder.vectors["挂渣 厚板切割"] = vectors[7]
    assert rebuilt.search(MatchQuery("挂渣 厚板切割"), k=1)[0].id == "T7"
    # once most vectors were placed since the cells were trained, they are trained again
    assert rebuilt.ivf.placed == 1
    rebuilt.ivf.placed = len(documents)
    again = MatchIndex(
        documents, tokens=tokens, vectors=vectors, embedder=corpus.embedder, retrieval=FORCED,
        previous=rebuilt,
    )  # fmt: skip
    assert isinstance(again.ivf, IVFIndex)
    assert again.ivf.centroids is not forced.ivf.centroids
    assert again.ivf.placed == 0
