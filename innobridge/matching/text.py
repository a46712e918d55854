"""Chinese text for matching: normalization and segmentation with the domain vocabulary.

Segmentation keeps every dictionary term and alias whole (``dictionary.py``); ``tokenize`` then
adds, after any alias, the concepts it names ("毛刺" → also "挂渣"; an everyday word that names
several, all of them), on documents and queries alike, so a plain-language demand and a
specialist summary meet on the same concept.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import jieba

from innobridge.core.demo import phrases
from innobridge.matching.dictionary import alias_concepts, alias_map, concepts, lay_by_concept

# Punctuation, symbols and words that carry no technical meaning in a demand or a summary.
STOPWORDS = frozenset(
    "的 了 和 与 及 或 等 在 对 为 是 将 把 被 从 以 于 其 该 本 我 我们 单位 公司 "
    "一种 一个 进行 实现 具有 通过 用于 可以 能够 需要 希望 目前 当前 主要 相关 问题 方面 "
    "以及 并 且 而 也 都 这 那 有 所 之 个 项 "
    # boilerplate of calls and demands (拟征集…解决方案，欢迎具备…的单位): no technical content
    "采用 不足 解决方案 方案 要求 提供 支持 现有 拟 征集 欢迎 具备 长期 从事 重点 解决 瓶颈 "
    "亟需 急需 面向 适用 基于 利用 包括 优于 难以 不少于 不低于 不高于 不超过 以上 以内 以下 "
    "左右 满足".split()
)
_TOKEN = re.compile(r"[\w\u4e00-\u9fff]+")
_lock = threading.Lock()
jieba.setLogLevel(logging.WARNING)


def normalize(text: str) -> str:
    """Full-width → half-width (NFKC), lower case, and one space for any run of spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def domain_terms() -> list[str]:
    """Technology terms the segmenter must keep whole: the dictionary's concepts and the curated
    phrase banks' terms (not whole product names: their parts must still match)."""
    terms: list[str] = [concept.term for concept in concepts()]
    for bank in phrases.FIELD_BANK.values():
        terms.extend(bank["terms"])
    return sorted(set(terms))


def segment_words() -> list[str]:
    """Everything the segmenter keeps whole: domain terms and every single-word alias but the
    lay expressions (``lay_hits`` finds those in a demand's text)."""
    lay = lay_expressions()
    aliases = [alias for alias in alias_map() if " " not in alias and alias not in lay]
    return sorted(set(domain_terms()) | set(aliases))


@lru_cache(maxsize=1)
def lay_expressions() -> frozenset[str]:
    """Aliases that only ever name a concept as a lay expression ("切口毛刺", "钟不准"): how a
    demand is worded, not how a technology summary is. They are looked for in a query's text
    and leave the segmentation of documents alone: as segmenter words they split specialist
    summaries differently and cost more than they found (measured: dev set plain style
    nDCG@10 0.8741 → 0.8781 and BM25 alone 0.6196 → 0.6381, specialist and patents-zh level)."""
    kinds: dict[str, set[str]] = {}
    for concept in concepts():
        for alias, kind in concept.aliases:
            kinds.setdefault(alias, set()).add(kind)
    return frozenset(a for a, k in kinds.items() if k == {"lay"})


def lay_hits(text: str) -> list[str]:
    """The lay expressions written in ``text``, longest first; one inside a longer one found is
    left out ("切口毛刺" and not also "毛刺")."""
    return list(_lay_hits(text))


@lru_cache(maxsize=4096)
def _lay_hits(text: str) -> tuple[str, ...]:
    """Looked up by each position's first two characters (every lay expression has two or
    more), not by trying all of them on the text: ~0.8 ms → ~0.05 ms a demand."""
    norm = normalize(text)
    starting = _lay_by_start()
    present = {
        alias
        for i in range(len(norm) - 1)
        for alias in starting.get(norm[i : i + 2], ())
        if norm.startswith(alias, i)
    }
    found: list[str] = []
    for alias in sorted(present, key=lambda a: (-len(a), a)):
        if not any(alias in longer for longer in found):
            found.append(alias)
    return tuple(found)


@lru_cache(maxsize=1)
def _lay_by_start() -> dict[str, tuple[str, ...]]:
    starting: dict[str, list[str]] = {}
    for alias in lay_expressions():
        starting.setdefault(alias[:2], []).append(alias)
    return {start: tuple(aliases) for start, aliases in starting.items()}


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    with _lock:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for term in segment_words():
            tokenizer.add_word(normalize(term), freq=2000)
        return tokenizer


def tokenize(text: str) -> list[str]:
    """Words as written, the known words inside long ones, and the concepts aliases name.

    Single characters stay: in Chinese they often carry the meaning (锰, 碳, 铬 in a materials
    demand), and dropping them cost recall on keyword-style queries. Ranking uses the two halves
    of this separately (``document_tokens`` and ``query_tokens``); symmetric keyword overlap
    (experts, investors) uses it whole.
    """
    tokens = surface_tokens(text)
    return tokens + _parts(tokens) + _concepts(tokens) + _concepts(lay_hits(text))


def document_tokens(text: str) -> list[str]:
    """A document is indexed under its words and the parts of its long words ("激光切割装备"
    is also found as "激光切割")."""
    tokens = surface_tokens(text)
    return tokens + _parts(tokens)


def query_tokens(text: str) -> list[str]:
    """A query searches for its words and for the concepts its aliases and lay expressions name
    ("毛刺" also searches "挂渣"). Expanding documents the same way, or splitting query words, measured worse
    (dev set and patents-zh)."""
    tokens = surface_tokens(text)
    return tokens + _concepts(tokens) + _concepts(lay_hits(text))


# at most this many lay expressions follow a technology's text for the dense model (the richest
# dev-set technology names 53; a long patent abstract up to 100)
LAY_EXPANSION_MAX = 64


def lay_expansion(text: str) -> str:
    """A technology's text as the dense model reads it a second time: followed by the lay
    expressions of every concept it names ("…万瓦级光纤激光厚板切割…。切厚钢板，厚板切不动，…"),
    taken in turn from each concept, first named first, at most ``LAY_EXPANSION_MAX``; the text
    alone when it names none (``dense.LayExpanded``).

    A factory manager writes "厚板切不动" where the summary says "厚板切割"; the query side
    cannot know which concept a lay wording means (naming one outweighed the rest of the need,
    bench/data/README.md), but the document side can say every way its concepts are put."""
    chosen = [
        expression for expression, _term in _lay_chosen(_named_concepts(document_tokens(text)))
    ]
    return f"{text}。{'，'.join(chosen)}" if chosen else text


def lay_words(tokens: list[str]) -> list[str]:
    """The words of the lay expressions ``lay_expansion`` adds to a technology with these
    (``document_tokens``) words: BM25 indexes a technology under them too, so "切不动" in a
    factory manager's need finds the technology whose summary says "厚板切割" (the engine still
    counts a need's coverage against the written words only, ``MatchIndex``)."""
    return _lay_words_of(_named_concepts(tokens))


def lay_sources(tokens: list[str]) -> dict[str, str]:
    """word of those lay expressions → the concept of the technology it speaks of (the first
    concept whose expressions hold it): what an explanation says a plain word stood for."""
    found: dict[str, str] = {}
    for expression, term in _lay_chosen(_named_concepts(tokens)):
        for word in _expression_table()[expression]:
            found.setdefault(word, term)
    return found


def _named_concepts(tokens: Iterable[str]) -> tuple[str, ...]:
    """The concepts these words name (a concept itself or through an alias), first named first."""
    by_concept = lay_by_concept()
    aliases = alias_concepts()
    named: dict[str, None] = {}
    for word in tokens:
        if word in by_concept:
            named[word] = None
        for term in aliases.get(word, ()):
            named[term] = None
    return tuple(named)


def _lay_words_of(named: tuple[str, ...]) -> list[str]:
    words: list[str] = []
    table = _expression_table()
    for expression, _term in _lay_chosen(named):
        words.extend(table[expression])
    return words


def _lay_chosen(named: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(lay expression, its concept) for these concepts, in turn from each concept, first named
    first, an expression another concept already gave skipped, at most ``LAY_EXPANSION_MAX`` (the
    same text gives the same ones in the dense reading and in BM25)."""
    by_concept = lay_by_concept()
    lists = [(by_concept[term], term) for term in named if by_concept.get(term)]
    position = [0] * len(lists)
    chosen: list[tuple[str, str]] = []
    taken: set[str] = set()
    active = list(range(len(lists)))
    while active and len(chosen) < LAY_EXPANSION_MAX:
        remaining = []
        for k in active:
            expressions, term = lists[k]
            i = position[k]
            while i < len(expressions) and expressions[i] in taken:
                i += 1
            if i < len(expressions) and len(chosen) < LAY_EXPANSION_MAX:
                taken.add(expressions[i])
                chosen.append((expressions[i], term))
                i += 1
            position[k] = i
            if i < len(expressions):
                remaining.append(k)
        active = remaining
    return tuple(chosen)


@lru_cache(maxsize=1)
def _expression_table() -> dict[str, tuple[str, ...]]:
    """Every lay expression's words, segmented once (the dictionary holds some 8,500)."""
    return {lay: _surface_tokens(lay) for lays in lay_by_concept().values() for lay in lays}


def _parts(tokens: list[str]) -> list[str]:
    vocabulary = _vocabulary()
    return [part for w in tokens if len(w) >= 3 for part in _inner_terms(w, vocabulary)]


def _concepts(tokens: list[str]) -> list[str]:
    aliases = alias_concepts()
    return [term for w in tokens for term in aliases.get(w, ())]


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Words that may be found inside a longer word: the domain words and jieba's own."""
    general = (w for w, freq in _tokenizer().FREQ.items() if freq > 0 and 2 <= len(w) <= 8)
    return frozenset(normalize(w) for w in segment_words()) | frozenset(general)


@lru_cache(maxsize=65536)
def _inner_terms(word: str, vocabulary: frozenset[str]) -> tuple[str, ...]:
    """The longest known words inside a longer word, so "激光切割装备" also says "激光切割" and
    "变电站设备巡检" says "变电站" (the segmenter keeps the longest dictionary word, which would
    hide its parts from matching); parts inside a part already found are left out."""
    found: list[str] = []
    for size in range(len(word) - 1, 1, -1):
        for start in range(len(word) - size + 1):
            part = word[start : start + size]
            if part in vocabulary and not any(part in longer for longer in found):
                found.append(part)
    return tuple(found)


def surface_tokens(text: str) -> list[str]:
    """The words as written (segmented, without the parts and concepts ``tokenize`` adds)."""
    return list(_surface_tokens(text))


@lru_cache(maxsize=4096)
def _surface_tokens(text: str) -> tuple[str, ...]:
    """Segmented once per text: a technology page asks for its demands and its challenges with
    the same text, and the same records are opened again and again (segmenting is ~1 ms)."""
    words = _tokenizer().lcut(normalize(text))
    return tuple(w for w in words if _TOKEN.fullmatch(w) and w not in STOPWORDS)


def alias_hits(tokens: list[str]) -> dict[str, str]:
    """concept → the alias it came from, for the surface words of one text (explanations)."""
    aliases = alias_concepts()
    return {term: w for w in tokens for term in aliases.get(w, ())}


def query_aliases(text: str) -> dict[str, str]:
    """concept → the alias or lay expression of a query's text that named it (explanations)."""
    return alias_hits(surface_tokens(text) + lay_hits(text))


def telling(term: str) -> bool:
    """Worth showing a person, or matching on in feedback: not a lone character, number or
    two-letter code."""
    if len(term) < 2 or term.isdigit():
        return False
    return not (term.isascii() and len(term) <= 2)
