"""What a request may carry, checked before any view reads it: a JSON body larger than
``MAX_JSON_BODY_BYTES`` gets 413, one nested deeper than ``MAX_JSON_DEPTH`` gets 400, each with a
readable JSON message (deep nesting would otherwise cost the parser its recursion limit); and NUL
characters in query strings, form fields and JSON strings become U+FFFD, so a search for one
matches nothing (SQLite would cut the pattern short and match everything) and saving one cannot
fail (PostgreSQL refuses NUL in text)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_MAX_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_JSON_NUL = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000", re.IGNORECASE)
REPLACEMENT = "\ufffd"


def json_depth(body: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (brackets inside strings do not
    count); a malformed text is measured all the same and left for the parser to refuse."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def _is_json(request: HttpRequest) -> bool:
    kind = str(request.META.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def _too_large(limit: int) -> JsonResponse:
    message = _("请求数据过大：JSON 请求体不能超过 %(max)s KB。") % {"max": limit // 1024}
    return JsonResponse({"detail": message}, status=413, json_dumps_params={"ensure_ascii": False})


def _without_nul(data: QueryDict) -> QueryDict:
    clean = QueryDict(mutable=True)
    for key, values in data.lists():
        clean.setlist(key.replace("\x00", REPLACEMENT), [v.replace("\x00", REPLACEMENT) for v in values])  # fmt: skip
    clean._mutable = False
    return clean


class RequestLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "%00" in request.META.get("QUERY_STRING", ""):
            request.GET = _without_nul(request.GET)  # type: ignore[assignment]
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if _is_json(request):
                refused = self.check(request)
                if refused is not None:
                    return refused
                if b"\\u0000" in request.body.lower():
                    request._body = _JSON_NUL.sub(rb"\1\\ufffd", request.body)
            elif request.META.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):  # fmt: skip
                if b"%00" in request.body:
                    request.POST = _without_nul(request.POST)  # type: ignore[assignment]
        return self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        max_bytes = int(getattr(settings, "MAX_JSON_BODY_BYTES", DEFAULT_MAX_BYTES))
        max_depth = int(getattr(settings, "MAX_JSON_DEPTH", DEFAULT_MAX_DEPTH))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_bytes:
            return _too_large(max_bytes)
        try:
            body = request.body
        except RequestDataTooBig:
            return _too_large(max_bytes)
        if len(body) > max_bytes:
            return _too_large(max_bytes)
        if json_depth(body) > max_depth:
            message = _("请求数据嵌套过深：JSON 的数组与对象最多嵌套 %(max)d 层。") % {"max": max_depth}  # fmt: skip
            return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})  # fmt: skip
        return None
