"""Dense candidates from PostgreSQL's pgvector extension, when the database has it.

Setting ``DENSE_INDEX`` (``INNOBRIDGE_DENSE_INDEX``): ``memory`` (default), ``pgvector`` or
``auto`` (pgvector when the database is PostgreSQL with the extension available).

In ``memory`` mode a large match index (``MATCH_EXACT_BELOW`` records or more) finds a query's
nearest records in an inverted file that each web process builds from the stored vectors at every
rebuild (``matching.retrieval.IVFIndex``: k-means, and a second copy of the vectors grouped by
cell: 3.4 GB more per process at 1,000,000 technologies). With pgvector the vectors are kept in
PostgreSQL as well, one table per index (``innobridge_dense_<name>``) with an HNSW graph, and the
nearest records come from there: one graph for all processes, kept up to date as records are
saved, instead of a k-means and a copy per process per rebuild.

Everything else stays in the process: BM25, fusion, feedback and explanations, and the
candidates' dense scores, computed from the process's own vectors, so a ranking never mixes in
another version of a text that another process has already stored. If PostgreSQL cannot answer,
the candidates come from scoring every vector in the process (slower, the same ranking).

The table is derived data: it is filled from the stored vectors (the data dir's index, which
``innobridge backup`` keeps) whenever an index is built, so it is not part of a backup.
"""

from __future__ import annotations

import logging
import zlib
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction

from innobridge.matching.retrieval import Floats32, Indices, dot

log = logging.getLogger(__name__)

CHOICES = ("memory", "pgvector", "auto")
NAMES = ("projects", "demands")  # the indexes a table may be made for (table names are built)
# nearest records asked of the HNSW graph per query (its ef_search): bench/pgvector_speed.py
CANDIDATES = 200
BUILD_MEMORY = "2GB"  # for building the graph (100,000 vectors of 896 numbers: about 600 MB)
WRITE_WHILE_BUILDING = 5000  # rows an index rebuild may write; more: innobridge index rebuild

_available: dict[str, bool] = {}


def table(name: str) -> str:
    if name not in NAMES:
        raise ValueError(f"no dense table for index {name!r}")
    return f"innobridge_dense_{name}"


def available() -> bool:
    """The database is PostgreSQL and has the ``vector`` extension, or lets us create it (asked
    once per process and database)."""
    if connection.vendor != "postgresql":
        return False
    key = str(connection.settings_dict.get("NAME"))
    if key in _available:
        return _available[key]
    # inside a caller's transaction a rollback could take the extension away again: no
    # creating it then, and no remembering the answer
    outer = connection.in_atomic_block
    found = _extension(create=not outer)
    if not outer:
        _available[key] = found
    return found


def _extension(*, create: bool) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
            if cursor.fetchone():
                return True
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
            if not create or not cursor.fetchone():
                return False
            cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
            return True
    except DatabaseError as error:  # not allowed to create it: an administrator has to
        log.warning("pgvector: the vector extension is not usable here: %s", error)
        return False


def enabled() -> bool:
    """Whether dense candidates come from pgvector (``DENSE_INDEX``). ``pgvector`` asked for
    on a database without the extension is a configuration error, said at the first build."""
    choice = str(getattr(settings, "DENSE_INDEX", "memory")).strip().lower()
    if choice not in CHOICES:
        raise ImproperlyConfigured(f"INNOBRIDGE_DENSE_INDEX={choice!r}: use one of {', '.join(CHOICES)}")  # fmt: skip
    if choice == "memory":
        return False
    if available():
        return True
    if choice == "pgvector":
        raise ImproperlyConfigured(
            "INNOBRIDGE_DENSE_INDEX=pgvector needs PostgreSQL with the vector extension "
            "(CREATE EXTENSION vector; by a superuser): use memory or auto"
        )
    return False


def synced(name: str, ids: list[str], digests: list[str], vectors: npt.NDArray[np.float32], model: str) -> PgVectorNearest | None:  # fmt: skip
    """The table of index ``name`` holding exactly these records' vectors (written where they
    differ), and a candidate source over it for an index of the records in this order. None when
    more than ``WRITE_WHILE_BUILDING`` rows are due: filling the table and its graph takes
    minutes, which a web process's rebuild does not spend (it uses its own inverted file
    meanwhile); ``innobridge index rebuild`` fills it."""
    written = sync(name, ids, digests, vectors, model, limit=WRITE_WHILE_BUILDING)
    if written is None:
        log.warning("pgvector: %s is not filled yet; run `innobridge index rebuild %s`", table(name), name)  # fmt: skip
        return None
    return PgVectorNearest(name, ids, vectors)


def sync(name: str, ids: list[str], digests: list[str], vectors: npt.NDArray[np.float32], model: str, *, limit: int | None = None) -> int | None:  # fmt: skip
    """Make the table hold one row per record: its id, the digest of its text with the model's
    name, and its vector. Rows that already match are left alone, so after a save one row is
    written; a new dimension (another model) makes the table again. Processes take turns (an
    advisory lock), the second finds nothing left to do. Returns the rows written, or None
    (writing nothing) when more than ``limit`` are due."""
    name_table, dimension = table(name), int(vectors.shape[1])
    stamps = [f"{model}:{digest}" for digest in digests]
    with transaction.atomic(), connection.cursor() as cursor:
        found = _locked_dimension(cursor, name_table)
        if limit is not None and found != dimension and len(ids) > limit:
            return None
        if found is not None and found != dimension:
            cursor.execute(f'DROP TABLE "{name_table}"')
            found = None
        if found is None:
            cursor.execute(
                f'CREATE TABLE "{name_table}" (record_id bigint PRIMARY KEY, '
                f"stamp text NOT NULL, embedding vector({dimension}) NOT NULL)"
            )
        cursor.execute(f'SELECT record_id, stamp FROM "{name_table}"')  # noqa: S608 - one of NAMES
        held = dict(cursor.fetchall())
        wanted = {int(pk): i for i, pk in enumerate(ids)}
        rows = [(pk, stamps[i], vectors[i]) for pk, i in wanted.items() if held.get(pk) != stamps[i]]  # fmt: skip
        if limit is not None and len(rows) > limit:
            return None
        stale = [pk for pk in held if pk not in wanted or held[pk] != stamps[wanted[pk]]]
        _write(cursor, name_table, stale, rows)  # deleted and changed records, then new rows
        # the graph is built once the table is filled (far faster than row by row), then kept
        # up to date by each insert; in memory, or it takes ten times as long (pgvector's docs)
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
        cursor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name_table}_hnsw" ON "{name_table}" '
            "USING hnsw (embedding vector_ip_ops)"
        )
    return len(rows)


def patched(name: str, ids: list[str], vectors: npt.NDArray[np.float32], model: str, changed: dict[int, str], gone: list[str]) -> PgVectorNearest | None:  # fmt: skip
    """After a save: write the rows of the records at positions ``changed`` (position → text
    digest) and delete those of the ``gone`` ids, without reading the table's 100,000 stamps
    (``sync``'s 1.1 s). The caller knows the table held the previous index's records. None when
    the table is missing or holds another model's dimension (``synced`` then)."""
    name_table = table(name)
    with transaction.atomic(), connection.cursor() as cursor:
        if _locked_dimension(cursor, name_table) != int(vectors.shape[1]):
            return None
        rows = [(int(ids[i]), f"{model}:{digest}", vectors[i]) for i, digest in changed.items()]
        _write(cursor, name_table, [int(pk) for pk in gone] + [row[0] for row in rows], rows)
    return PgVectorNearest(name, ids, vectors)


def _locked_dimension(cursor: Any, name_table: str) -> int | None:
    """Take the table's turn (processes write one at a time, until the transaction ends) and
    read the dimension of its vectors (None: no table yet)."""
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name_table.encode())])
    cursor.execute(
        "SELECT a.atttypmod FROM pg_attribute a WHERE a.attrelid = to_regclass(%s) "
        "AND a.attname = 'embedding'",
        [name_table],
    )
    found = cursor.fetchone()
    return int(found[0]) if found is not None else None


def _write(cursor: Any, name_table: str, deleted: list[int], rows: list[tuple[int, str, Any]]) -> None:  # fmt: skip
    """Delete the rows of ``deleted`` ids, then add ``rows`` (id, stamp, vector) by COPY."""
    from pgvector.psycopg import register_vector

    if deleted:
        cursor.execute(f'DELETE FROM "{name_table}" WHERE record_id = ANY(%s)', [deleted])  # noqa: S608 - one of NAMES
    if not rows:
        return
    raw = connection.connection  # the same connection and transaction, for COPY
    register_vector(raw)  # vectors go over the wire in binary
    with (
        raw.cursor() as copying,
        copying.copy(
            f'COPY "{name_table}" (record_id, stamp, embedding) FROM STDIN WITH (FORMAT BINARY)'
        ) as copy,
    ):
        copy.set_types(["int8", "text", "vector"])
        for row in rows:
            copy.write_row(row)


class PgVectorNearest:
    """``matching.retrieval.Nearest`` over the table of index ``name``: the ``CANDIDATES``
    records nearest to the query in the HNSW graph that this index holds, with their exact v·q
    from this index's own vectors."""

    def __init__(self, name: str, ids: list[str], vectors: npt.NDArray[np.float32]) -> None:
        self.table = table(name)
        self.position = {int(pk): i for i, pk in enumerate(ids)}
        self.vectors = vectors
        self.failed = False

    def search(self, query: npt.NDArray[np.floating], probes: int) -> tuple[Indices, Floats32]:
        q = np.asarray(query, dtype=np.float32)
        try:
            found = self._nearest(q)
        except DatabaseError:  # the previous answer stands in: every vector in the process
            if not self.failed:
                log.exception("pgvector: %s could not answer; scoring in process", self.table)
            self.failed = True
            return self._exhaustive(q)
        self.failed = False
        positions = np.array(
            sorted({self.position[pk] for pk in found if pk in self.position}), dtype=np.intp
        )
        return positions, dot(self.vectors[positions], q).astype(np.float32)

    def _nearest(self, q: npt.NDArray[np.float32]) -> list[int]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL hnsw.ef_search = {int(CANDIDATES)}")
            cursor.execute(
                f'SELECT record_id FROM "{self.table}" ORDER BY embedding <#> %s::vector LIMIT %s',  # noqa: S608 - one of NAMES
                [_text(q), CANDIDATES],
            )
            return [row[0] for row in cursor.fetchall()]

    def _exhaustive(self, q: npt.NDArray[np.float32]) -> tuple[Indices, Floats32]:
        scores = dot(self.vectors, q).astype(np.float32)
        wanted = min(CANDIDATES, len(scores))
        positions = np.sort(np.argpartition(-scores, wanted - 1)[:wanted]).astype(np.intp)
        return positions, scores[positions]


def _text(vector: npt.NDArray[np.float32]) -> str:
    """pgvector's text form of a vector: [v1,v2,...] (float32 values written in full)."""
    return "[" + ",".join(map(repr, vector.tolist())) + "]"
