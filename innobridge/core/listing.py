"""Search, filter and paginate a queryset the same way for pages, the API and exports."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import Model, Q, QuerySet
from django.utils.functional import cached_property

from innobridge.core.cache import cached_count, query_key

MAX_QUERY_TERMS = 8
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class ListSpec:
    """How an entity's list may be searched and filtered."""

    search_fields: tuple[str, ...]
    # query parameter → (lookup, allowed values | a converter that raises ValueError | None)
    filters: Mapping[str, tuple[str, Iterable[str] | Callable[[str], Any] | None]] = field(
        default_factory=dict
    )
    order_by: tuple[str, ...] = ("-pk",)

    def filtering(self, params: Mapping[str, Any]) -> bool:
        """Whether ``params`` set any of the declared filters (not only a search or a page)."""
        return any(str(params.get(name) or "") for name in self.filters)


def search_q(text: str, fields: Iterable[str], model: type[Model] | None = None) -> Q:
    """Every whitespace-separated term must appear in at least one of the fields.

    With the ``model``, a field of a record it points to ("owner__name") is searched once per
    term, as a subquery (owner IN organizations whose name holds the term), instead of joining
    that record to every row scanned: on 100,000 projects the join cost PostgreSQL about as
    much CPU again as the scan itself.

    On PostgreSQL the records holding a term are read once per term and data version, among
    all records (``term_holders``), and a search keeps those of them the user may see: a search
    for a word someone searched before, with any filters, by any user, reads no text."""
    from django.db import connection

    query = Q()
    for term in search_terms(text):
        if model is not None and connection.vendor == "postgresql":
            query &= Q(pk_in_array(term_holders(model, tuple(fields), term)))
        else:
            query &= _term_q(term, fields, model)
    return query


def search_terms(text: str) -> list[str]:
    """The words of a search box: whitespace-separated, within the length and count limits."""
    return text.strip()[:MAX_QUERY_LENGTH].split()[:MAX_QUERY_TERMS]


def _term_q(term: str, fields: Iterable[str], model: type[Model] | None) -> Q:
    """The records holding ``term`` in any of ``fields``."""
    # A term without cased letters (Chinese, digits) matches the same with or without case
    # folding; plain LIKE skips UPPER() of every text it scans (3× faster on 100k projects).
    lookup = "icontains" if term.lower() != term.upper() else "contains"
    any_field = Q()
    for name in fields:
        relation, _sep, rest = name.partition("__")
        target = _pointed_to(model, relation) if rest else None
        if target is not None:
            holding = target._base_manager.filter(**{f"{rest}__{lookup}": term})
            any_field |= Q(**{f"{relation}__in": holding.values("pk")})
        else:
            any_field |= Q(**{f"{name}__{lookup}": term})
    return any_field


def term_holders(model: type[Model], fields: tuple[str, ...], term: str) -> list[int]:
    """Ids of every record of ``model`` (whoever may see it) holding ``term`` in ``fields``.
    Scanning the text of 100,000 projects took 30–120 ms of PostgreSQL per search; the same
    words come back all day. They are kept until a table the fields are read from changes
    (``core.cache.table_stamp``: the projects and their owners for a project search), not at
    every change elsewhere (a review score, a notification read), and for at most an hour;
    for tables without an ``updated`` field, until any record changes (core.cache.remembered)."""
    from innobridge.core.cache import lasting, remembered, table_stamp

    def scan() -> list[int]:
        rows = model._base_manager.filter(_term_q(term, fields, model))
        return list(rows.order_by().values_list("pk", flat=True))

    read = [
        model,
        *(_pointed_to(model, name.partition("__")[0]) for name in fields if "__" in name),
    ]
    stamps = [table_stamp(table) if table is not None else None for table in read]
    if any(stamp is None for stamp in stamps):
        return remembered("search-term", (model._meta.label, fields, term), scan, per_language=False)  # fmt: skip
    return lasting("search-term", (model._meta.label, fields, term, tuple(stamps)), scan)


def pk_in_array(ids: list[int]) -> Any:
    """``pk = ANY(%s::bigint[])`` (PostgreSQL): the ids as one array parameter, where
    ``pk__in`` would compile a placeholder per id (~1 s for 2,000 ids)."""
    from django.db.models import BooleanField, F, Func, IntegerField, Value

    array = Func(Value(ids), template="%(expressions)s::bigint[]", output_field=IntegerField())
    return Func(F("pk"), array, template="%(expressions)s)", arg_joiner=" = ANY(", output_field=BooleanField())  # fmt: skip


def _pointed_to(model: type[Model] | None, name: str) -> type[Model] | None:
    """The model a foreign key (or one-to-one) field ``name`` of ``model`` points to."""
    if model is None:
        return None
    field = model._meta.get_field(name)
    if (field.many_to_one or field.one_to_one) and isinstance(field.related_model, type):
        return field.related_model
    return None


def apply_list_params(
    queryset: QuerySet[Any], spec: ListSpec, params: Mapping[str, Any]
) -> QuerySet[Any]:
    """Apply ``q`` and the declared filters; unknown values of a choice filter match nothing."""
    text = str(params.get("q") or "").strip()
    if text:
        queryset = queryset.filter(search_q(text, spec.search_fields, queryset.model))
    for name, (lookup, allowed) in spec.filters.items():
        value = params.get(name)
        if value in (None, ""):
            continue
        value = str(value)
        if callable(allowed):
            try:
                value = allowed(value)
            except (TypeError, ValueError):
                return queryset.none()
        elif allowed is not None and value not in set(allowed):
            return queryset.none()
        queryset = queryset.filter(**{lookup: value})
    return queryset.order_by(*spec.order_by)


def positive_int(text: str) -> int:
    value = int(text)
    if value < 0 or value > 2**62:
        raise ValueError(text)
    return value


class CachedCountPaginator(Paginator):  # type: ignore[type-arg]
    """The total is read once per query and data version (core.cache.cached_count); a search
    ranked by the engine (``relevance_order``, core.matching.rank_by_relevance) is counted and
    sliced by its list of ids, so a page reads only its own rows."""

    @cached_property
    def query_key(self) -> str | None:
        """The rows' query as a cache-key part (core.cache.query_key), compiled once for the
        total and for the key of the page's rendered rows (``results_key``)."""
        return query_key(self.object_list) if isinstance(self.object_list, QuerySet) else None

    @cached_property
    def count(self) -> int:
        order = getattr(self.object_list, "relevance_order", None)
        if order is not None:
            return len(order)
        if isinstance(self.object_list, QuerySet):
            return cached_count(self.object_list, self.query_key)
        return len(self.object_list)

    def page(self, number: Any) -> Page[Any]:
        order = getattr(self.object_list, "relevance_order", None)
        if order is None:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = order[bottom : bottom + self.per_page]
        source = getattr(self.object_list, "relevance_rows", self.object_list)
        found = {row.pk: row for row in cast(QuerySet[Any], source).filter(pk__in=ids)}
        return Page([found[pk] for pk in ids if pk in found], number, self)


def results_key(page: Page[Any], *extra: Any) -> str:
    """What a list page's rendered rows depend on, as one cache key part: the rows' query (its
    SQL holds the user's visibility filter, the filters and the slice) or, for a search ranked
    by the engine, the page's ids; the page and row totals; the data version (any saved record
    moves it, core.cache); the language; and what the caller adds (the query string the
    pagination links repeat). Two users with the same key see the same rows, so the table they
    are shown is rendered once (``{% cache %}`` in each ``_table.html``). "" when the rows cannot
    be named (the fragment is then rendered every time)."""
    import hashlib

    from django.core.exceptions import EmptyResultSet
    from django.utils.translation import get_language

    from innobridge.core.cache import data_version

    rows = page.object_list
    paginator = page.paginator
    if isinstance(rows, QuerySet) and isinstance(paginator, CachedCountPaginator):
        # the whole list's query and the slice of it this page is
        named: Any = (paginator.query_key or "empty", page.number, paginator.per_page)
    elif isinstance(rows, QuerySet):
        try:
            named = (rows.db, rows.query.sql_with_params())
        except EmptyResultSet:
            named = "empty"
    elif all(hasattr(row, "pk") for row in rows):
        named = [type(row).__name__ + str(row.pk) for row in rows]
    else:
        return ""
    text = repr((named, page.number, page.paginator.count, page.paginator.num_pages, data_version(), get_language(), extra))  # fmt: skip
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def paginate(queryset: QuerySet[Any], page: Any, per_page: int = 20) -> Page[Any]:
    paginator = CachedCountPaginator(queryset, per_page)
    return paginator.get_page(page)
