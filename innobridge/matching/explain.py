"""Which shared words an explanation names: the technology two texts share, not the words of their
form. Display only: nothing here changes how a text is segmented or ranked, so changing it does
not make the stored tokens stale (``core.matching`` fingerprints ``text.py`` and the dictionary).
"""

from __future__ import annotations

from innobridge.matching.text import telling

# Words of the form of an application or a demand (重点关注…等方向, 开展…验证, 形成…产品), not of
# its technology. They stay in the index (as stopwords they cost the full engine up to 0.004
# nDCG@10 on the hand-written specialist sets, bench/match_quality.py) but are never shown as a
# shared keyword: "共同关键词：方向、技术、应用" told a manager nothing, and "方向" alone was the
# most shown word of the demo's recommendations (268 of 3,000).
FORM_WORDS = frozenset(
    "方向 技术 项目 应用 指标 降低 开展 形成 产品 验证 研发 研究 开发 研制 攻关 场景 完成 建设 "
    "企业 厂商 落地 示范 推广 取得 提升 方式 联合 合作 能力 业务 产业 产业化 关键 关键技术 领域 "
    "核心 需求 缩短 匹配 成果 转化 推进 达到 计划 引入 系统 设备 分钟 情况 工作 提高 优化 "
    "建立 国内 国际 领先 水平 先进 新型 创新 "
    # everyday words of a problem statement (依赖进口、周期长、人工成本高、效率低): shown alone as a
    # shared keyword they name no technology; 科技 comes from the names of the organizations
    "科技 时间 发现 条件 人工 效率 周期 成本 依赖 "
    # honours and figures of an application (入选省级首台（套）重大技术装备, 年产值10亿元)
    "入选 省级 国家级 市级 首台 首套 重大 技术装备 产值 年产值 规模 带动 上下游 亿元 万元".split()
)


def worth_showing(term: str) -> bool:
    """A shared word worth naming in an explanation: telling, and not a word of the form."""
    return telling(term) and term not in FORM_WORDS
