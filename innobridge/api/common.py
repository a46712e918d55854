"""Pieces every router shares: the page envelope and the error body."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from ninja import Schema


class ErrorOut(Schema):
    detail: str


def page_of(queryset: QuerySet[Any], page: int, per_page: int) -> dict[str, Any]:
    """``{count, page, pages, items}``; a page past the end is empty, not an error."""
    per_page = max(1, min(per_page, 100))
    paginator = Paginator(queryset, per_page)
    page = max(1, page)
    items: list[Any] = []
    if page <= paginator.num_pages:
        items = list(paginator.page(page).object_list)
    return {"count": paginator.count, "page": page, "pages": paginator.num_pages, "items": items}


def choice_label(instance: Any, name: str) -> str:
    value = getattr(instance, name)
    if not value:
        return ""
    return str(getattr(instance, f"get_{name}_display")())
