"""Excel (.xlsx) import and export, the same for every list people keep in spreadsheets.

An import is checked whole before anything is kept: every row runs through the entity's own
create service inside one transaction that is rolled back (the preview), and the confirmed
import runs them again in one transaction that is kept only if every row passes. Column
headers may be given in Chinese or English; choice cells take the label or the code.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from django.db import models, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from innobridge.core.choices import choice_value
from innobridge.core.errors import ApplicationError

MAX_ROWS = 50_000
XLSX_MAGIC = b"PK\x03\x04"


class CellError(ValueError):
    """A cell's value cannot be used; the message says why, in the user's language."""


class FileError(ApplicationError):
    """The file as a whole cannot be read (not xlsx, empty, too large, missing columns)."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    required: bool = False
    parse: Callable[[Any], Any] = lambda value: text_cell(value)
    export: Callable[[Any, Any], Any] | None = None  # (record, user) → cell value
    choices: Iterable[tuple[str, Any]] | None = None  # for the template's drop-down
    width: int = 18

    def header(self) -> str:
        return f"{self.label}*" if self.required else str(self.label)


@dataclass(frozen=True)
class SheetSpec:
    entity: str
    title: str | Promise
    columns: tuple[Column, ...]
    create_row: Callable[[Any, dict[str, Any]], Any]  # (actor, parsed row) → saved record
    rows_for_export: Callable[[Any, dict[str, Any]], Iterable[Any]]  # (user, params) → records
    can_import: Callable[[Any], bool]
    field_to_column: dict[str, str] = field(default_factory=dict)  # model field → column key


@dataclass
class RowIssue:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    entity: str
    total_rows: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    created: int = 0
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.issues and self.total_rows > 0

    @property
    def bad_rows(self) -> int:
        return len({issue.row for issue in self.issues})


# --- cell parsers ------------------------------------------------------------------------


def text_cell(value: Any, max_length: int = 20000) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > max_length:
        raise CellError(_("内容过长：最多%(n)d个字符。") % {"n": max_length})
    return text


def text_parser(max_length: int) -> Callable[[Any], str]:
    return lambda value: text_cell(value, max_length)


def choice_parser(choices: type[models.TextChoices]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = text_cell(value, 100)
        if not text:
            return ""
        code = choice_value(choices, text)
        if code is None:
            allowed = "、".join(str(label) for _value, label in choices.choices)
            raise CellError(_("“%(value)s”不是有效选项，可选：%(allowed)s。") % {
                "value": text, "allowed": allowed})  # fmt: skip
        return code

    return parse


def multi_choice_parser(choices: type[models.TextChoices]) -> Callable[[Any], list[str]]:
    single = choice_parser(choices)

    def parse(value: Any) -> list[str]:
        text = text_cell(value, 500)
        parts = [part for part in re.split(r"[、,，;；/\s]+", text) if part]
        return list(dict.fromkeys(single(part) for part in parts))

    return parse


def integer_parser(low: int, high: int) -> Callable[[Any], int | None]:
    def parse(value: Any) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise CellError(_("应为整数。")) from None
        if number != number.to_integral_value():
            raise CellError(_("应为整数。"))
        if not low <= number <= high:
            raise CellError(_("应在%(low)d到%(high)d之间。") % {"low": low, "high": high})
        return int(number)

    return parse


def decimal_cell(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().replace(",", "").replace("，", "").removesuffix("万元")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("应为数字（单位：万元）。")) from None
    if not number.is_finite():
        raise CellError(_("应为数字（单位：万元）。"))
    if number < 0:
        raise CellError(_("不能为负数。"))
    if number >= Decimal("1e10"):
        raise CellError(_("数值过大。"))
    return number.quantize(Decimal("0.01"))


DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)


def date_cell(value: Any) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise CellError(_("日期格式应为 2025-03-31 或 2025年3月31日。"))


# --- reading a workbook ---------------------------------------------------------------------


def _normal_header(text: Any) -> str:
    return re.sub(r"[\s*＊]", "", str(text or "")).casefold()


def header_map(spec: SheetSpec) -> dict[str, Column]:
    """Header text (Chinese or English, with or without the required mark) → column."""
    mapping: dict[str, Column] = {}
    for column in spec.columns:
        mapping[_normal_header(column.key)] = column
        for language in ("zh-hans", "en"):
            with translation.override(language):
                mapping[_normal_header(column.label)] = column
    return mapping


def check_upload(name: str, size: int, head: bytes, max_bytes: int) -> None:
    if size == 0:
        raise FileError(_("上传的文件是空的。"))
    if size > max_bytes:
        raise FileError(
            _("文件过大（%(size).1f MB），上限为 %(max)d MB。")
            % {"size": size / 1024 / 1024, "max": max_bytes // 1024 // 1024}
        )
    if not name.lower().endswith(".xlsx"):
        raise FileError(_("只支持 Excel .xlsx 文件，请另存为 .xlsx 后再上传。"))
    if not head.startswith(XLSX_MAGIC):
        raise FileError(
            _("文件内容不是 .xlsx 格式（可能是旧版 .xls、加密文件或改了扩展名），请另存为 .xlsx。")
        )


def read_rows(
    spec: SheetSpec, stream: BinaryIO
) -> tuple[list[Column | None], Iterator[tuple[int, tuple[Any, ...]]], list[str]]:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise FileError(_("文件已损坏或不是有效的 .xlsx 文件，无法读取。")) from None
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise FileError(_("文件中没有工作表。"))
    rows = sheet.iter_rows(values_only=True)
    try:
        header_row = next(rows)
    except StopIteration:
        raise FileError(_("文件是空的：第1行应为列标题。")) from None
    by_header = header_map(spec)
    columns: list[Column | None] = []
    ignored: list[str] = []
    for cell in header_row:
        column = by_header.get(_normal_header(cell))
        columns.append(column)
        if column is None and cell not in (None, ""):
            ignored.append(str(cell))
    present = {column.key for column in columns if column is not None}
    missing = [
        column.header() for column in spec.columns if column.required and column.key not in present
    ]
    if missing:
        raise FileError(
            _("缺少必填列：%(columns)s。请使用模板中的列标题。") % {"columns": "、".join(missing)}
        )

    def numbered() -> Iterator[tuple[int, tuple[Any, ...]]]:
        for number, values in enumerate(rows, start=2):
            if values and any(v not in (None, "") and str(v).strip() for v in values):
                yield number, values

    return columns, numbered(), ignored


def _parse_row(
    spec: SheetSpec, columns: list[Column | None], number: int, values: tuple[Any, ...]
) -> tuple[dict[str, Any], list[RowIssue]]:
    parsed: dict[str, Any] = {}
    issues: list[RowIssue] = []
    for column, value in zip(columns, values, strict=False):
        if column is None:
            continue
        try:
            result = column.parse(value)
        except CellError as error:
            issues.append(RowIssue(number, str(column.label), str(error)))
            continue
        if column.required and result in ("", None, []):
            issues.append(RowIssue(number, str(column.label), _("必填，不能为空。")))
            continue
        if result not in ("", None, []):
            parsed[column.key] = result
    for column in spec.columns:
        if (
            column.required
            and column.key not in parsed
            and not any(issue.column == str(column.label) for issue in issues)
        ):
            issues.append(RowIssue(number, str(column.label), _("必填，不能为空。")))
    return parsed, issues


def _service_issues(spec: SheetSpec, number: int, error: ApplicationError) -> list[RowIssue]:
    labels = {column.key: str(column.label) for column in spec.columns}
    field_errors: dict[str, list[str]] = error.extra.get("errors") or {}
    issues: list[RowIssue] = []
    for name, messages in field_errors.items():
        key = spec.field_to_column.get(name, name)
        issues.extend(RowIssue(number, labels.get(key, ""), message) for message in messages)
    return issues or [RowIssue(number, "", error.message)]


class _Rollback(Exception):
    pass


def run_import(
    spec: SheetSpec,
    stream: BinaryIO,
    *,
    actor: Any,
    commit: bool,
    preview_rows: int = 50,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every row (and keep them all only when ``commit`` and nothing is wrong).

    ``progress(rows_done)`` is called after each row (the command line shows it); the rows are
    still uncommitted then: a crash before the end leaves nothing behind."""
    if not spec.can_import(actor):
        raise ApplicationError(_("您的角色不能导入%(title)s。") % {"title": spec.title})
    columns, rows, ignored = read_rows(spec, stream)
    report = ImportReport(entity=spec.entity, ignored_headers=ignored)
    report.headers = [column.header() for column in spec.columns]
    try:
        with transaction.atomic():
            for number, values in rows:
                report.total_rows += 1
                if report.total_rows > MAX_ROWS:
                    raise FileError(_("一次最多导入 %(n)d 行，请拆分文件。") % {"n": MAX_ROWS})
                if len(report.preview) < preview_rows:
                    report.preview.append(
                        [str(number)]
                        + [_display(values, columns, column) for column in spec.columns]
                    )
                parsed, issues = _parse_row(spec, columns, number, values)
                if not issues:
                    try:
                        with transaction.atomic():
                            spec.create_row(actor, parsed)
                    except ApplicationError as error:
                        issues = _service_issues(spec, number, error)
                report.issues.extend(issues)
                if progress is not None:
                    progress(report.total_rows)
            if report.total_rows == 0:
                raise FileError(_("文件中没有数据行（第2行起填写数据）。"))
            if not commit or report.issues:
                raise _Rollback
            report.created = report.total_rows
            report.committed = True
    except _Rollback:
        pass
    return report


def _display(values: tuple[Any, ...], columns: list[Column | None], column: Column) -> str:
    for index, candidate in enumerate(columns):
        if candidate is column and index < len(values):
            value = values[index]
            if isinstance(value, datetime.datetime):
                return value.date().isoformat()
            return "" if value is None else str(value)[:80]
    return ""


# --- writing workbooks ---------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def _labels(choices: Iterable[tuple[str, Any]]) -> list[str]:
    return [str(label) for _value, label in choices]


def template_workbook(spec: SheetSpec) -> bytes:
    """An empty sheet with the headers, drop-downs for choice columns and a notes sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(spec.title)[:31]
    options = workbook.create_sheet(_("选项"))
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header())
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        if column.choices is not None:
            labels = _labels(column.choices)
            options.cell(row=1, column=index, value=str(column.label))
            for row, label in enumerate(labels, start=2):
                options.cell(row=row, column=index, value=label)
            letter = get_column_letter(index)
            validation = DataValidation(
                type="list",
                formula1=f"'{options.title}'!${letter}$2:${letter}${len(labels) + 1}",
                allow_blank=not column.required,
            )
            validation.error = _("请从下拉列表中选择。")
            validation.showErrorMessage = False  # multi-value cells (关注领域) are allowed too
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("带 * 的列为必填；第1行为列标题，请勿修改；数据从第2行开始。")])
    notes.append([_("选项列可填写中文名称（见“选项”表）；多个选项用顿号“、”分隔。")])
    notes.append([_("日期格式：2025-03-31；金额单位：万元。")])
    notes.column_dimensions["A"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_workbook(spec: SheetSpec, *, user: Any, params: dict[str, Any]) -> bytes:
    """The records this user may see, one row each, with the same headers as the template."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(spec.title)[:31])
    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([column.header() for column in spec.columns])
    for record in spec.rows_for_export(user, params):
        sheet.append([_export_value(column, record, user) for column in spec.columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _export_value(column: Column, record: Any, user: Any) -> Any:
    if column.export is not None:
        value = column.export(record, user)
    else:
        value = getattr(record, column.key, "")
        display = getattr(record, f"get_{column.key}_display", None)
        if display is not None and value:
            value = display()
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, Decimal):
        return float(value)
    return "" if value is None else value


def table_workbook(title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    """A plain sheet of what a page lists (rosters, watchlists, ladders)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 36 if index == 1 else 16
    sheet.append(headers)
    for row in rows:
        sheet.append([str(v) if isinstance(v, Promise) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def organization_cell(value: Any) -> Any:
    """An organization named by its full name, short name or credit code."""
    from innobridge.core.uscc import normalize
    from innobridge.orgs.models import Organization

    text = text_cell(value, 200)
    if not text:
        return None
    found = (
        Organization.objects.filter(name=text).first()
        or Organization.objects.filter(uscc=normalize(text)).first()
        or Organization.objects.filter(short_name=text).order_by("pk").first()
    )
    if found is None:
        raise CellError(_("未找到单位“%(name)s”，请先登记该单位或核对全称。") % {"name": text})
    return found


SPECS = {
    "orgs": "innobridge.orgs.excel.ORGANIZATION_SHEET",
    "projects": "innobridge.projects.excel.PROJECT_SHEET",
    "demands": "innobridge.demands.excel.DEMAND_SHEET",
    "investors": "innobridge.capital.excel.INVESTOR_SHEET",
    "enterprise_years": "innobridge.cultivation.excel.YEAR_SHEET",
    "enterprise_profiles": "innobridge.cultivation.excel.PROFILE_SHEET",
    "experts": "innobridge.review.excel.EXPERT_SHEET",
}


def spec_for(entity: str) -> SheetSpec:
    from django.utils.module_loading import import_string

    if entity not in SPECS:
        raise ApplicationError(_("不支持导入导出“%(entity)s”。") % {"entity": entity})
    spec: SheetSpec = import_string(SPECS[entity])
    return spec


def field_label(model: type[models.Model], name: str) -> Any:
    """The model field's (translatable) verbose name, so a column reads like the form."""
    return getattr(model._meta.get_field(name), "verbose_name", name)
