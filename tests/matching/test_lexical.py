"""The in-memory BM25 scores exactly as bm25s does, built without bm25s' per-document loop."""

from __future__ import annotations

import logging
import random
from collections import Counter
from typing import Any

import bm25s
import numpy as np

from innobridge.core.demo import phrases, text
from innobridge.matching.lexical import FastBM25
from innobridge.matching.text import document_tokens, query_tokens


def corpus() -> list[list[str]]:
    rng = random.Random(3)
    projects = [text.project_text(rng, rng.choice(phrases.FIELDS)) for _ in range(400)]
    tokens = [document_tokens(f"{p.title}。{p.summary}") for p in projects]
    return [*tokens, ["激光", "激光", "激光"], [""]]  # a repeated word; a document without words


def test_every_query_scores_every_document_exactly_as_bm25s_does() -> None:
    documents = corpus()
    theirs, ours = bm25s.BM25(k1=1.2, b=0.75), FastBM25(k1=1.2, b=0.75)
    theirs.index(documents, show_progress=False)
    ours.index(documents, show_progress=False)
    assert set(ours.vocab_dict) == set(theirs.vocab_dict)
    rng = random.Random(5)
    for _ in range(60):
        need = text.demand_text(rng, rng.choice(phrases.FIELDS), "technology")
        words = query_tokens(f"{need.title}。{need.description}")
        assert np.array_equal(ours.get_scores(words), theirs.get_scores(words))
    assert np.array_equal(ours.get_scores(["激光"]), theirs.get_scores(["激光"]))


def test_it_counts_the_documents_holding_each_word() -> None:
    documents = corpus()
    index = FastBM25(k1=1.2, b=0.75)
    index.index(documents, show_progress=False)
    expected = Counter(word for words in documents for word in set(words))
    assert index.document_frequencies == dict(expected)


def test_a_rebuild_reusing_the_previous_index_scores_exactly_as_a_full_build() -> None:
    """After a save, the index is built again from the previous one's word counts: records
    edited, deleted, added and moved must score as if it had been built from scratch."""
    before = [*corpus(), ["独有旧词", "激光"]]
    previous = FastBM25(k1=1.2, b=0.75)
    previous.index(before, show_progress=False)
    rng = random.Random(11)
    after = [words for i, words in enumerate(before[:-1]) if i % 7 != 3]  # some deleted
    edited = {5, 40, 41, 200}
    for i in edited:  # edited: new lists, with words no other document has
        after[i] = [*after[i][:-3], "全新词汇甲", "全新词汇甲", "鲜见术语"]
    extra = text.project_text(rng, phrases.FIELDS[0])
    after.append(document_tokens(f"{extra.title}。{extra.summary}"))  # added
    after[10], after[300] = after[300], after[10]  # moved
    place = {id(words): i for i, words in enumerate(before)}
    reuse = np.array([place.get(id(words), -1) for words in after], dtype=np.int64)
    assert (reuse == -1).sum() == len(edited) + 1
    rebuilt, fresh = FastBM25(k1=1.2, b=0.75), bm25s.BM25(k1=1.2, b=0.75)
    rebuilt.index_reusing(after, previous, reuse)
    fresh.index(after, show_progress=False)
    # words only deleted documents held are gone from the vocabulary, as from a full build
    assert set(rebuilt.vocab_dict) == set(fresh.vocab_dict)
    assert "独有旧词" in previous.vocab_dict
    assert "独有旧词" not in rebuilt.vocab_dict
    assert rebuilt.document_frequencies == dict(Counter(w for words in after for w in set(words)))
    for _ in range(60):
        need = text.demand_text(rng, rng.choice(phrases.FIELDS), "technology")
        words = query_tokens(f"{need.title}。{need.description}")
        assert np.array_equal(rebuilt.get_scores(words), fresh.get_scores(words))
    assert np.array_equal(rebuilt.get_scores(["全新词汇甲"]), fresh.get_scores(["全新词汇甲"]))
    assert rebuilt.get_scores(["全新词汇甲"])[5] > 0


def test_building_an_index_writes_nothing_to_the_server_log(caplog: Any) -> None:
    """bm25s sets its logger to DEBUG when imported; every web process's start and rebuild
    then logged "Building index from tokens"."""
    caplog.set_level(logging.DEBUG)
    FastBM25(k1=1.2, b=0.75).index(corpus()[:20], show_progress=False)
    assert not [r for r in caplog.records if r.name.startswith("bm25s")]
