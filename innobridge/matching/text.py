"""Chinese text for matching: normalization and segmentation with the domain vocabulary."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache

import jieba

from innobridge.core.demo import phrases

# Punctuation, symbols and words that carry no technical meaning in a demand or a summary.
STOPWORDS = frozenset(
    "的 了 和 与 及 或 等 在 对 为 是 将 把 被 从 以 于 其 该 本 我 我们 单位 公司 "
    "一种 一个 进行 实现 具有 通过 用于 可以 能够 需要 希望 目前 当前 主要 相关 问题 方面 "
    "以及 并 且 而 也 都 这 那 有 所 之 个 项".split()
)
_TOKEN = re.compile(r"[\w\u4e00-\u9fff]+")
_lock = threading.Lock()
jieba.setLogLevel(logging.WARNING)


def normalize(text: str) -> str:
    """Full-width → half-width (NFKC), lower case, and one space for any run of spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def domain_terms() -> list[str]:
    """Technology terms the segmenter must keep whole (from the curated phrase banks)."""
    terms: list[str] = []
    for bank in phrases.FIELD_BANK.values():
        terms.extend(bank["terms"])  # not whole product names: their parts must still match
    return sorted(set(terms))


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    with _lock:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for term in domain_terms():
            tokenizer.add_word(normalize(term), freq=2000)
        return tokenizer


def tokenize(text: str) -> list[str]:
    """Precise-mode segmentation keeping domain terms whole; punctuation and stopwords dropped.

    Single characters stay: in Chinese they often carry the meaning (锰, 碳, 铬 in a materials
    demand), and dropping them cost recall on keyword-style queries.
    """
    words = _tokenizer().lcut(normalize(text))
    return [w for w in words if _TOKEN.fullmatch(w) and w not in STOPWORDS]
