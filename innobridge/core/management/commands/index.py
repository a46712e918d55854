"""``innobridge index rebuild [projects|demands]``: segment the texts again when the dictionary or
the segmenter changed, and compute the dense vectors of the match index.

Queries keep using the previous tokens and vectors (or BM25 alone) until the new files are
complete. ``innobridge serve`` runs ``index rebuild --if-missing`` beside the server at start.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innobridge.core.matching import (
    SOURCES,
    fill_dense_table,
    rebuild_vectors,
    segment_again,
    vectors_current,
)
from innobridge.core.tasks import EMBED_CHUNK, embed_records, enqueue, wait_for_background
from innobridge.matching.dense import embedder_name


def queue_all(name: str) -> int:
    """Every record of the index, in chunks, to the background workers; returns the chunks."""
    docs, _queryset = SOURCES[name]()
    pks = [int(doc.id) for doc in docs]
    for start in range(0, len(pks), EMBED_CHUNK):
        enqueue(embed_records, name, pks[start : start + EMBED_CHUNK])
    return (len(pks) + EMBED_CHUNK - 1) // EMBED_CHUNK


class Command(BaseCommand):
    help = "Rebuild the match index: its tokens when segmenting changed, its vectors."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="encode every record again")
        rebuild.add_argument("names", nargs="*", help=f"any of: {', '.join(sorted(SOURCES))}")
        rebuild.add_argument(
            "--if-missing",
            action="store_true",
            help="only vectors that are missing or of another model (tokens: always when stale)",
        )
        rebuild.add_argument(
            "--queue",
            action="store_true",
            help="send the records to the background workers in chunks (Celery with REDIS_URL, "
            "else a background thread) and return; workers merge the vectors as they finish",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        unknown = sorted(set(options["names"]) - set(SOURCES))
        if unknown:
            raise CommandError(
                f"unknown index: {', '.join(unknown)} (use {', '.join(sorted(SOURCES))})"
            )
        for name in options["names"] or sorted(SOURCES):

            def progress(done: int, total: int, name: str = name) -> None:
                width = 30
                filled = width * done // max(total, 1)
                sys.stderr.write(
                    f"\r{name:<9} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
                )
                sys.stderr.flush()

            segmented = segment_again(name, progress)
            if segmented is not None:
                sys.stderr.write("\n")
                self.stdout.write(f"{name}: {segmented} 条记录已重新分词")
            if options["if_missing"] and vectors_current(name):
                self.stdout.write(f"{name}: 已有向量索引，跳过")
                self._fill_dense_table(name)
                continue
            if options["if_missing"] and embedder_name() is None:
                self.stdout.write(f"{name}: 未启用向量模型（INNOBRIDGE_EMBEDDER=none），不编码")
                continue
            if options["queue"]:
                chunks = queue_all(name)
                self.stdout.write(f"{name}: 已分 {chunks} 批交给后台任务")
                continue
            try:
                count = rebuild_vectors(name, progress=progress)
            except RuntimeError as error:
                raise CommandError(str(error)) from None
            sys.stderr.write("\n")
            self.stdout.write(f"{name}: {count} 条记录已编码")
            self._fill_dense_table(name)
        wait_for_background()  # in-process workers finish before the command returns

    def _fill_dense_table(self, name: str) -> None:
        written = fill_dense_table(name)
        if written is not None:
            self.stdout.write(f"{name}: pgvector 表已更新 {written} 条")
