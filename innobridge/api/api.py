"""The NinjaAPI instance: routers from each app, auth, and errors as readable JSON."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from innobridge.api.auth import SIGNED_IN
from innobridge.api.match import router as match_router
from innobridge.capital.api import router as capital_router
from innobridge.core.errors import ApplicationError
from innobridge.core.middleware import RETRY_AFTER_SECONDS, database_unavailable_message
from innobridge.cultivation.api import router as cultivation_router
from innobridge.demands.api import router as demands_router
from innobridge.demands.list_api import router as lists_router
from innobridge.orgs.api import labs_router
from innobridge.orgs.api import router as orgs_router
from innobridge.projects.api import router as projects_router
from innobridge.review.api import calls_router
from innobridge.review.api import router as review_router
from innobridge.targets.api import router as targets_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Innobridge 科创桥 API",
    version="1.0",
    description=(
        "科创桥开放接口：单位、技术项目、场景需求、投资机构与联合实验室。"
        "认证：浏览器会话，或在“接口令牌”页面生成令牌后使用 `Authorization: Bearer <令牌>`。"
    ),
    auth=SIGNED_IN,
    urls_namespace="api",
)
api.add_router("/orgs", orgs_router, tags=["单位 Organizations"])
api.add_router("/labs", labs_router, tags=["联合实验室 Joint labs"])
api.add_router("/projects", projects_router, tags=["技术项目 Projects"])
api.add_router("/demands", demands_router, tags=["场景需求 Demands"])
api.add_router("/lists", lists_router, tags=["需求清单 Demand lists"])
api.add_router("/investors", capital_router, tags=["投资机构 Investors"])
api.add_router("/match", match_router, tags=["匹配 Matching"])
api.add_router("/cultivation", cultivation_router, tags=["企业培育 Cultivation"])
api.add_router("/calls", calls_router, tags=["项目征集 Calls"])
api.add_router("/review", review_router, tags=["专家评审 Review"])
api.add_router("/targets", targets_router, tags=["目标考核 Targets"])


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, **exc.extra}, status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body",))
        errors.append({"field": location, "message": error.get("msg", "")})
    summary = "；".join(f"{e['field']}：{e['message']}" for e in errors[:3])
    return api.create_response(
        request,
        {"detail": _("请求数据有误：%s") % summary, "errors": errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("请先登录，或提供有效的接口令牌。")}, status=401
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("未找到。")}, status=404)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The database cannot be reached (dropped connection, server down): 503, try again later."""
    logger.warning("database unavailable on %s %s", request.method, request.path, exc_info=exc)
    response = api.create_response(request, {"detail": database_unavailable_message()}, status=503)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    return response


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return api.create_response(request, {"detail": _("服务器内部错误，请稍后重试。")}, status=500)
