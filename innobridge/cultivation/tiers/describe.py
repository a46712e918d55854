"""Readable values and reasons: "近三年研发费用占营业收入比例 4.2% < 5%（上年收入 ≤ 5000万元）".

Pure Python like the engine, with the Chinese and English wording side by side (the rules file
carries both languages for its own names).
"""

from __future__ import annotations

from typing import Any

from innobridge.cultivation.tiers.metrics import METRICS

_SHOWN = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}
_NEGATED = {">=": "<", ">": "≤", "<=": ">", "<": "≥", "==": "≠", "!=": "="}
_UNITS = {
    "wan": ("万元", " ten-thousand yuan"),
    "people": ("人", " people"),
    "years": ("年", " years"),
    "count": ("项", ""),
    "musd": ("百万美元", " million USD"),
    "points": ("分", " points"),
}


def fmt(value: Any, unit: str, en: bool = False) -> str:
    """A value in its unit: 4.2%, 5,000万元, 12人, 是/否."""
    if value is None:
        return "unknown" if en else "未知"
    if isinstance(value, bool):
        return ("yes" if value else "no") if en else ("是" if value else "否")
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(map(str, value)) if en else "、".join(map(str, value))
    if unit == "ratio" and isinstance(value, int | float):
        return f"{value * 100:.1f}%".replace(".0%", "%")
    if isinstance(value, int | float):
        number = f"{value:,.2f}".rstrip("0").rstrip(".")
        zh, english = _UNITS.get(unit, ("", ""))
        return f"{number}{english}" if en else f"{number}{zh}"
    return str(value)


def metric_label(metric: str, en: bool = False) -> str:
    found = METRICS.get(metric)
    if found is None:
        if metric.startswith("part."):
            return "Sub-score" if en else "分项得分"
        return metric
    return found.label_en if en else found.label


def reason(condition: Any, en: bool = False) -> str:
    """One sentence for a judged condition (a ``Condition`` or a stored dict with the same keys)."""

    def get(key: str) -> Any:
        return condition.get(key) if isinstance(condition, dict) else getattr(condition, key)

    name = get("name_en") if en else get("name")
    op, unit, value, threshold = str(get("op")), str(get("unit")), get("value"), get("threshold")
    passed = get("passed")
    if passed is None:
        ref = None if isinstance(condition, dict) else getattr(condition, "ref", None)
        fields = ", ".join(ref.missing if ref is not None else get("missing") or ())
        return f"{name}: data missing ({fields})" if en else f"{name}：数据缺失（{fields}）"
    metric = str(get("metric"))
    if metric.startswith("program."):
        verdict = ("met" if passed else "not met") if en else ("符合" if passed else "不符合")
        return f"{name}: {verdict}" if en else f"{name}：{verdict}"
    if op in ("contains", "not_contains"):
        held = bool(value)
        if en:
            return f"{name}: {'held' if held else 'not held'}"
        return f"{name}：{'已具备' if held else '未具备'}"
    if unit == "bool":
        label = metric_label(metric, en)
        return f"{label}: {fmt(value, unit, en)}" if en else f"{label}：{fmt(value, unit, en)}"
    if op in ("in", "not_in") or unit in ("text", "date"):
        return f"{name}: {fmt(value, unit, en)}" if en else f"{name}：{fmt(value, unit, en)}"
    shown = _SHOWN.get(op, op) if passed else _NEGATED.get(op, op)
    text = f"{metric_label(metric, en)} {fmt(value, unit, en)} {shown} {fmt(threshold, unit, en)}"
    band = get("band_label_en") if en else get("band_label")
    if band:
        text += f" ({band})" if en else f"（{band}）"
    return text


def condition_dict(condition: Any) -> dict[str, Any]:
    """What a stored evaluation keeps of a condition (enough for ``reason``)."""
    return {
        "name": condition.full_name,
        "name_en": condition.full_name_en,
        "metric": condition.metric,
        "op": condition.op,
        "unit": condition.unit,
        "value": _plain(condition.value),
        "threshold": _plain(condition.threshold),
        "passed": condition.passed,
        "band_label": condition.band_label,
        "band_label_en": condition.band_label_en,
        "missing": list(
            condition.ref.missing
            if condition.ref is not None and condition.passed is None
            else condition.missing
        ),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, set | frozenset):
        return sorted(value)
    return value
