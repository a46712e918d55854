"""Project → expert affinity on small literal inputs."""

from __future__ import annotations

from innobridge.matching.experts import ExpertProfile, ProjectProfile, affinity

EXPERTS = [
    ExpertProfile("laser", "laser", "光纤激光器，激光切割，激光焊接", "高功率光纤激光器热管理研究"),
    ExpertProfile("ir", "infrared", "红外热像仪，非制冷红外，焦平面", ""),
    ExpertProfile("laser-generalist", "laser", "激光微加工", ""),
    ExpertProfile("bio", "biomed", "单克隆抗体，细胞治疗", ""),
]
PROJECTS = [
    ProjectProfile("p1", "laser", "万瓦级光纤激光切割装备研制，突破激光切割头与光纤激光器热管理"),
    ProjectProfile("p2", "infrared", "非制冷红外焦平面探测器用于电力巡检的红外热像仪"),
]


def test_matrix_ranks_the_specialist_first_and_explains_it() -> None:
    result = affinity(PROJECTS, EXPERTS)
    assert result.matrix.shape == (2, 4)
    assert result.matrix.min() >= 0.0
    assert result.matrix.max() <= 1.0
    assert result.top(0, 2)[0] == ("laser", 1.0)
    assert result.top(1, 1)[0][0] == "ir"
    shared, same_field = result.reasons(0, 0)
    assert "光纤激光器" in shared
    assert same_field
    # a same-field generalist beats an off-field expert with no shared words
    row = dict(result.top(0, 4))
    assert row["laser-generalist"] > row["bio"] == 0.0


def test_no_experts_or_no_projects() -> None:
    assert affinity(PROJECTS, []).matrix.shape == (2, 0)
    assert affinity([], EXPERTS).matrix.shape == (0, 4)
