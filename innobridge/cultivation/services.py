"""Every write to cultivation data: yearly figures, profiles, evaluations and cohorts.

Evaluations are derived data: they are recomputed after the enterprise's data changes (once per
transaction, after commit) and whenever the year's rules file changed (its digest differs).
"""

from __future__ import annotations

import datetime
import math
import threading
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from innobridge.core.errors import AccessDenied, ApplicationError
from innobridge.core.roles import is_staff_role
from innobridge.core.services import save_validated
from innobridge.cultivation.models import (
    Certificate,
    CohortMember,
    EnterpriseProfile,
    EnterpriseYearRecord,
    TierEvaluation,
)
from innobridge.cultivation.rules_files import engine_for
from innobridge.cultivation.tiers.describe import condition_dict
from innobridge.cultivation.tiers.engine import Engine, Evaluation
from innobridge.cultivation.tiers.metrics import YEAR_FIELDS, Enterprise
from innobridge.cultivation.tiers.vector import VectorEngine
from innobridge.orgs.models import Organization

PROFILE_FIELDS = (
    "registered_in_wuhan", "listed", "certificates", "awards", "major_incident", "dishonest",
    "abnormal", "innovation_expert_score", "niche_share", "own_brand",
)  # fmt: skip


# -- the engine's view of an enterprise ------------------------------------------------------
def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def to_enterprise(
    organization: Organization,
    profile: EnterpriseProfile | None,
    records: Iterable[EnterpriseYearRecord],
) -> Enterprise:
    years = {
        record.year: {
            name: float(value)
            for name in YEAR_FIELDS
            if (value := getattr(record, name)) is not None
        }
        for record in records
    }
    niche = profile.niche_share if profile else None
    return Enterprise(
        id=organization.pk,
        founded=organization.founded,
        registered_in_wuhan=profile.registered_in_wuhan if profile else None,
        district=organization.district or None,
        field=organization.field or None,
        listed=profile.listed if profile else None,
        certificates=frozenset(profile.certificates) if profile else None,
        flags={
            "major_incident": profile.major_incident if profile else None,
            "dishonest": profile.dishonest if profile else None,
            "abnormal": profile.abnormal if profile else None,
        },
        innovation_expert_score=_number(profile.innovation_expert_score) if profile else None,
        niche_share=float(niche) / 100 if niche is not None else None,
        own_brand=profile.own_brand if profile else None,
        years=years,
    )


def evaluate(organization: Organization, year: int) -> Evaluation:
    """A live evaluation with every condition (for the enterprise page)."""
    engine, _digest = engine_for(year)
    profile = EnterpriseProfile.objects.filter(organization=organization).first()
    records = EnterpriseYearRecord.objects.filter(
        organization=organization, year__gte=year - 3, year__lt=year
    )
    return engine.evaluate(to_enterprise(organization, profile, records), year)


# -- stored evaluations ------------------------------------------------------------------------
def evaluation_years() -> list[int]:
    """Years worth evaluating: each year after one with figures, from the first year that has
    a complete three-year window (or just the latest when there is less history)."""
    span = EnterpriseYearRecord.objects.aggregate(low=Min("year"), high=Max("year"))
    if span["low"] is None:
        return []
    first = span["low"] + 3 if span["high"] - span["low"] >= 2 else span["high"] + 1
    return list(range(first, span["high"] + 2))


def _stored(organization_id: int, year: int, evaluation: Evaluation, digest: str) -> TierEvaluation:  # fmt: skip
    near: list[dict[str, Any]] = [
        {
            "kind": item.kind,
            "key": item.key,
            "gap": round(item.gap, 6),
            "lacking": [condition_dict(c) for c in item.lacking],
        }
        for item in evaluation.near
    ]
    return TierEvaluation(
        organization_id=organization_id,
        year=year,
        rules_year=evaluation.rules_year,
        rules_digest=digest,
        tier=evaluation.tier or "",
        programs=[k for k, r in evaluation.programs.items() if r.qualifies],
        unknown=[k for k, r in evaluation.programs.items() if r.qualifies is None],
        scores={
            k: round(r.score, 2)
            for k, r in evaluation.programs.items()
            if r.score is not None and math.isfinite(r.score)
        },
        rosters=[k for k, r in evaluation.rosters.items() if r.passed],
        near=near,
        closest_gap=near[0]["gap"] if near else None,
    )


def _batch_rows(engine: Engine, enterprises: list[Enterprise], year: int, digest: str) -> list[TierEvaluation]:  # fmt: skip
    """Verdicts for all at once (numpy); the reference engine explains only the enterprises
    that are near a threshold (their watchlist entries need the missing conditions)."""
    batch = VectorEngine(engine).evaluate(enterprises, year)
    margin = engine.margin
    rows = []
    for k, enterprise in enumerate(enterprises):
        tier = batch.tier[k]
        higher = []
        for spec, _block in engine.tiers:
            if spec.key == tier:
                break
            higher.append(spec.key)
        near = any(
            batch.qualifies[key][k] != 1 and 0 < batch.gap[key][k] <= margin
            for key in batch.qualifies
        ) or any(0 < batch.tier_gap[key][k] <= margin for key in higher)
        if near:
            rows.append(
                _stored(int(enterprise.id), year, engine.evaluate(enterprise, year), digest)
            )
            continue
        rows.append(
            TierEvaluation(
                organization_id=int(enterprise.id), year=year, rules_year=engine.rules.year,
                rules_digest=digest, tier=tier or "",
                programs=[key for key, v in batch.qualifies.items() if v[k] == 1],
                unknown=[key for key, v in batch.qualifies.items() if v[k] == -1],
                scores={key: round(float(v[k]), 2) for key, v in batch.score.items() if math.isfinite(v[k])},
                rosters=[key for key, v in batch.rosters.items() if v[k] == 1],
                near=[], closest_gap=None,
            )
        )  # fmt: skip
    return rows


def evaluations_refresh(
    *, years: list[int] | None = None, org_ids: Iterable[int] | None = None, force: bool = False
) -> dict[int, int]:
    """(Re)evaluate stored enterprises; without ``force`` only those whose evaluation is missing
    or was made with another version of the rules file. Returns the count per year."""
    done: dict[int, int] = {}
    wanted = set(org_ids) if org_ids is not None else None
    for year in years or evaluation_years():
        engine, digest = engine_for(year)
        candidates = EnterpriseYearRecord.objects.filter(year__gte=year - 3, year__lt=year)
        if wanted is not None:
            candidates = candidates.filter(organization_id__in=wanted)
        ids = set(candidates.values_list("organization_id", flat=True))
        if not force and wanted is None:
            current = TierEvaluation.objects.filter(year=year, rules_digest=digest)
            ids -= set(current.values_list("organization_id", flat=True))
        if not ids:
            done[year] = 0
            continue
        organizations = Organization.objects.in_bulk(ids)
        profiles = EnterpriseProfile.objects.in_bulk(ids)
        records: dict[int, list[EnterpriseYearRecord]] = {}
        for record in EnterpriseYearRecord.objects.filter(
            organization_id__in=ids, year__gte=year - 3, year__lt=year
        ):
            records.setdefault(record.organization_id, []).append(record)
        enterprises = [
            to_enterprise(org, profiles.get(pk), records.get(pk, []))
            for pk, org in organizations.items()
        ]
        rows = _batch_rows(engine, enterprises, year, digest)
        with transaction.atomic():
            TierEvaluation.objects.filter(year=year, organization_id__in=ids).delete()
            TierEvaluation.objects.bulk_create(rows, batch_size=500)
        done[year] = len(rows)
    return done


_pending = threading.local()


def _reevaluate_after_commit(organization_id: int) -> None:
    """Queue the enterprise; the first commit callback of the transaction evaluates them all."""
    queued: set[int] = getattr(_pending, "ids", set())
    queued.add(organization_id)
    _pending.ids = queued

    def run() -> None:
        ids: set[int] = getattr(_pending, "ids", set())
        _pending.ids = set()
        if ids:
            evaluations_refresh(org_ids=ids, force=True)

    transaction.on_commit(run)


# -- yearly figures and profiles ---------------------------------------------------------------
def _require_staff(actor: Any) -> None:
    if not is_staff_role(actor):
        raise AccessDenied(_("只有科创局工作人员可以维护企业培育数据。"))


def _check_consistency(record: EnterpriseYearRecord) -> None:
    pairs = [
        ("st_staff", "employees", _("科技人员数不能超过职工总数。")),
        ("rd_staff", "employees", _("研发人员数不能超过职工总数。")),
        ("main_revenue", "revenue", _("主营业务收入不能超过营业收入。")),
        ("hitech_revenue", "revenue", _("高新技术产品（服务）收入不能超过营业收入。")),
        ("rd_expense_in_china", "rd_expense", _("境内研发费用不能超过研发费用。")),
    ]
    errors: dict[str, list[str]] = {}
    for part, whole, message in pairs:
        low, high = getattr(record, part), getattr(record, whole)
        if low is not None and high is not None and low > high:
            errors.setdefault(part, []).append(str(message))
    this_year = datetime.date.today().year  # noqa: DTZ011 - a calendar year, not a moment
    if record.year is not None and record.year > this_year:
        errors.setdefault("year", []).append(_("年度不能晚于今年。"))
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, {"errors": errors})


@transaction.atomic
def year_record_save(
    *, actor: Any, organization: Organization, year: int, figures: dict[str, Any], reason: str = ""
) -> EnterpriseYearRecord:
    """Create or update the figures of one enterprise for one fiscal year (given keys only)."""
    _require_staff(actor)
    if organization.kind != Organization.Kind.ENTERPRISE:
        raise ApplicationError(_("只有企业可以填报年度数据：%(name)s 不是企业。") % {"name": organization.name})  # fmt: skip
    unknown = sorted(set(figures) - set(YEAR_FIELDS))
    if unknown:
        raise ApplicationError(_("不能修改这些字段：%(fields)s") % {"fields": "、".join(unknown)})
    record = EnterpriseYearRecord.objects.filter(organization=organization, year=year).first()
    created = record is None
    if record is None:
        record = EnterpriseYearRecord(organization=organization, year=year)
    changed = []
    for name, value in figures.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    if not created and not changed:
        return record
    _check_consistency(record)
    save_validated(record, actor=actor, reason=reason or (_("新建") if created else _("修改")))
    _reevaluate_after_commit(organization.pk)
    return record


@transaction.atomic
def profile_save(
    *, actor: Any, organization: Organization, data: dict[str, Any], reason: str = ""
) -> EnterpriseProfile:
    _require_staff(actor)
    unknown = sorted(set(data) - set(PROFILE_FIELDS))
    if unknown:
        raise ApplicationError(_("不能修改这些字段：%(fields)s") % {"fields": "、".join(unknown)})
    certificates = data.get("certificates")
    if certificates is not None:
        bad = [c for c in certificates if c not in Certificate.values]
        if bad:
            raise ApplicationError(_("未知的资质：%s") % "、".join(bad))
        data = {**data, "certificates": sorted(set(certificates))}
    profile = EnterpriseProfile.objects.filter(organization=organization).first()
    if profile is None:
        profile = EnterpriseProfile(organization=organization)
    changed = [name for name, value in data.items() if getattr(profile, name) != value]
    for name in changed:
        setattr(profile, name, data[name])
    if profile._state.adding or changed:
        save_validated(profile, actor=actor, reason=reason or _("修改"))
        _reevaluate_after_commit(organization.pk)
    return profile


# -- cohorts -------------------------------------------------------------------------------------
@transaction.atomic
def cohort_add(
    *,
    actor: Any,
    roster: str,
    year: int,
    organizations: Iterable[Organization],
    capacity: int | None,  # fmt: skip
) -> int:
    """Select eligible enterprises into a programme cohort; refuses ineligible ones and a cohort
    beyond its first-year capacity (nothing is saved then)."""
    _require_staff(actor)
    chosen = list(organizations)
    eligible = {
        evaluation.organization_id
        for evaluation in TierEvaluation.objects.filter(year=year, organization__in=chosen)
        if roster in evaluation.rosters
    }
    refused = [org.name for org in chosen if org.pk not in eligible]
    if refused:
        raise ApplicationError(
            _("以下企业在%(year)d年不符合条件，不能入选：%(names)s")
            % {"year": year, "names": "、".join(refused[:10])}
        )
    existing = set(
        CohortMember.objects.filter(roster=roster, organization__in=chosen).values_list(
            "organization_id", flat=True
        )
    )
    new = [org for org in chosen if org.pk not in existing]
    if capacity is not None:
        size = CohortMember.objects.filter(roster=roster, cohort_year=year).count()
        if size + len(new) > capacity:
            raise ApplicationError(
                _("超出名额：%(year)d届最多%(cap)d家，已有%(size)d家。")
                % {"year": year, "cap": capacity, "size": size}
            )
    for org in new:
        member = CohortMember(roster=roster, cohort_year=year, organization=org, added_by=actor)
        save_validated(member, actor=actor, reason=_("入选"))
    return len(new)


@transaction.atomic
def cohort_remove(*, actor: Any, member: CohortMember, reason: str) -> None:
    _require_staff(actor)
    if not reason.strip():
        raise ApplicationError(_("请填写移出原因。"))
    member._history_user = actor  # type: ignore[attr-defined]
    member._change_reason = reason.strip()  # type: ignore[attr-defined]
    member.delete()
