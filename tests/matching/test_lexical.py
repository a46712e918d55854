"""The in-memory BM25 scores exactly as bm25s does, built without bm25s' per-document loop."""

from __future__ import annotations

import random
from collections import Counter

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
