"""Compose realistic Chinese project and demand texts from the phrase banks.

Every function draws only from the ``rng`` it is given, so a seed fixes the whole dataset.
A project and a demand of the same field share vocabulary (terms, scenarios, products), which
is what a matching engine will later be judged on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from innobridge.core.demo import phrases


@dataclass(frozen=True)
class ProjectText:
    title: str
    summary: str
    keywords: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class DemandText:
    title: str
    description: str
    scenario: str
    indicators: tuple[str, ...]
    keywords: tuple[str, ...]


def _bank(field: str) -> dict[str, tuple[str, ...]]:
    return phrases.FIELD_BANK[field]


def _keywords(text: str, field: str, first: list[str], rng: random.Random) -> tuple[str, ...]:
    """The named terms first, then other field terms that really occur in the text (≤ 6)."""
    found = [term for term in first if term in text]
    others = [term for term in _bank(field)["terms"] if term in text and term not in found]
    rng.shuffle(others)
    return tuple((found + others)[:6])


PROJECT_TITLES = (
    "面向{s}的{p}研发及产业化",
    "{p}关键技术研究与应用",
    "基于{m}的{p}",
    "{p}工程化开发与示范应用",
    "{s}{t}关键技术攻关",
    "{t}与{t2}协同的{p}研制",
    "高可靠{p}国产化研制",
)
PATENT_TITLES = (
    "一种用于{s}的{p}",
    "一种基于{m}的{t}方法",
    "一种{t}装置及其控制方法",
)
PROSPECTS = (
    "成果可推广应用于{s2}等场景，有望实现关键部件的进口替代。",
    "项目产业化后预计形成年产值{n}亿元以上的产业规模，带动上下游企业协同发展。",
    "下一步将联合龙头企业在{s2}开展规模化应用，加快成果转化落地。",
    "拟在武汉建设中试基地，面向{s2}提供整体解决方案。",
)


def project_text(rng: random.Random, field: str, kind: str | None = None) -> ProjectText:
    bank = _bank(field)
    kind = kind or rng.choices(("project", "result", "patent"), weights=(5, 3, 2))[0]
    terms = rng.sample(list(bank["terms"]), 4)
    product, method = rng.choice(bank["products"]), rng.choice(bank["methods"])
    scenario, scenario2 = rng.sample(list(bank["scenarios"]), 2)
    templates = PATENT_TITLES if kind == "patent" else PROJECT_TITLES
    title = rng.choice(templates).format(s=scenario, p=product, m=method, t=terms[0], t2=terms[1])
    if len(title) > 40:
        title = f"{product}关键技术研究"
    problem = rng.choice(bank["problems"])
    indicators = rng.sample(list(bank["indicators"]), rng.randint(2, 3))
    sentences = [
        f"{scenario}是{field}领域的重要应用方向，当前{problem}。",
        f"本项目采用{method}，研制{product}，重点突破{terms[1]}、{terms[2]}和{terms[3]}等关键技术。",
        f"经测试，{'，'.join(indicators)}，主要性能指标达到国内领先水平。",
        f"项目{rng.choice(phrases.ACHIEVEMENTS)}。",
        rng.choice(PROSPECTS).format(s2=scenario2, n=rng.choice((1, 2, 3, 5, 8, 10))),
    ]
    if kind == "patent":
        sentences[1] = (
            f"本发明公开了一种{product}，通过{method}解决{terms[1]}与{terms[2]}难以兼顾的问题，"
            f"并涉及{terms[3]}的实现方式。"
        )
    summary = "".join(sentences)
    keywords = _keywords(title + summary, field, terms, rng)
    return ProjectText(title=title, summary=summary, keywords=keywords, kind=kind)


DEMAND_TITLES = {
    "technology": (
        "{s}中的{t}技术攻关需求",
        "{p}国产化替代技术需求",
        "提升{s}{t}水平的技术需求",
        "{t}关键工艺优化需求",
        "面向{s}的{t}解决方案征集",
        "{s}{t}质量提升技术需求",
    ),
    "scenario": (
        "{s}场景应用需求",
        "{s}示范应用场景建设需求",
        "{p}在{s}中的场景验证需求",
        "{s}{t}创新应用场景",
    ),
    "talent": (
        "{t}方向高层次人才团队引进需求",
        "{p}研发团队招募需求",
        "{s}项目技术带头人引进需求",
    ),
    "finance": (
        "{p}产业化项目融资需求",
        "{t}中试线建设融资需求",
        "{p}扩产项目股权融资需求",
    ),
}
WANTS = (
    "希望与高校院所或科技企业联合攻关，形成可落地的工程化方案",
    "欢迎具备成熟产品或技术方案的单位揭榜，可提供应用场景和测试条件",
    "优先考虑可在一年内完成样机验证并具备批量供货能力的方案",
    "可采用技术许可、合作开发或委托研发等方式合作",
)


def demand_text(rng: random.Random, field: str, demand_type: str) -> DemandText:
    bank = _bank(field)
    terms = rng.sample(list(bank["terms"]), 3)
    product = rng.choice(bank["products"])
    scenario = rng.choice(bank["scenarios"])
    problem = rng.choice(bank["problems"])
    indicators = tuple(rng.sample(list(bank["indicators"]), rng.randint(2, 4)))
    title = rng.choice(DEMAND_TITLES[demand_type]).format(s=scenario, p=product, t=terms[0])
    if len(title) > 40:
        title = f"{terms[0]}技术需求"
    if demand_type == "technology":
        description = (
            f"我单位长期从事{scenario}相关业务，目前{problem}。"
            f"拟征集采用{terms[0]}、{terms[1]}等技术的解决方案，重点解决{terms[2]}方面的瓶颈，"
            f"{rng.choice(WANTS)}。"
        )
    elif demand_type == "scenario":
        description = (
            f"我单位计划在{scenario}开展示范应用，开放真实场景供新技术新产品验证。"
            f"当前{problem}，希望引入{product}，在{rng.choice((6, 9, 12, 18))}个月内完成场景验证，"
            f"形成可复制推广的应用模式。重点关注{terms[0]}、{terms[1]}和{terms[2]}等方向。"
        )
    elif demand_type == "talent":
        description = (
            f"为推进{product}研发，我单位拟引进{terms[0]}方向领军人才或创新团队"
            f"{rng.choice(('1', '1至2', '2'))}个，要求具有{terms[1]}或{terms[2]}相关研发经验，"
            f"近五年主持过省部级以上科研项目。可提供实验场地、启动经费、人才公寓和子女入学等支持。"
        )
    else:
        amount = rng.choice((1000, 2000, 3000, 5000, 8000, 10000))
        description = (
            f"我单位{product}{rng.choice(phrases.ACHIEVEMENTS)}，"
            f"拟融资{amount}万元，用于{terms[0]}中试线建设、{terms[1]}工艺优化和市场拓展。"
            f"项目面向{scenario}，可有效缓解“{problem}”的行业痛点。"
            f"接受股权融资、投贷联动或知识产权质押贷款等方式，{terms[2]}相关核心专利可作为增信。"
        )
    keywords = _keywords(title + description, field, terms, rng)
    return DemandText(
        title=title,
        description=description,
        scenario=scenario,
        indicators=indicators,
        keywords=keywords,
    )


def enterprise_name(rng: random.Random, field: str) -> str:
    prefix = rng.choice(phrases.COMPANY_PREFIXES)
    suffix = rng.choice(phrases.FIELD_COMPANY_SUFFIXES[field])
    form = rng.choices(("有限公司", "股份有限公司"), weights=(5, 1))[0]
    return f"武汉{prefix}{suffix}{form}"


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(phrases.GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(phrases.SURNAMES) + given


def expert_keywords(rng: random.Random, field: str) -> tuple[str, ...]:
    return tuple(rng.sample(list(_bank(field)["terms"]), rng.randint(4, 7)))
