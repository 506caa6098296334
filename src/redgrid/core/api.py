"""The JSON API at /api/v1 (django-ninja); each app contributes a router."""

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import HttpBearer, django_auth
from pydantic import Field

from redgrid.core.context import client_ip, set_actor


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; tokens are stored hashed (accounts.ApiToken)."""

    def authenticate(self, request, token):
        from redgrid.accounts.models import ApiToken

        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(token), expires_at__gt=timezone.now())
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        request.user = row.user
        set_actor(row.user, client_ip(request))
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        return row.user


def issue_token(user) -> str:
    from redgrid.accounts.models import ApiToken

    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, key_hash=ApiToken.hash_key(key), expires_at=timezone.now() + settings.API_TOKEN_TTL
    )
    return key


api = NinjaAPI(
    title="红色网格 redgrid API",
    version="1",
    description="党建引领基层治理平台接口。认证：POST /api/v1/auth/token 取得令牌后使用 `Authorization: Bearer <token>`。",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    docs_url="/docs",
)


class Pagination(PageNumberPagination):
    """Page-number paging with bounded inputs: an absurd page number would overflow the database's OFFSET."""

    class Input(PageNumberPagination.Input):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=200)


class Conflict(Exception):
    """An action that the object's current state does not allow (HTTP 409)."""


class TooManyRequests(Exception):
    """A rate limit was hit (HTTP 429); the message says which and when to retry."""


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "未找到，或不在您的管辖范围内"}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权执行此操作"}, status=403)


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    return api.create_response(request, {"detail": "未登录或令牌无效/已过期"}, status=401)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=400)


@api.exception_handler(NinjaValidationError)
def _schema_invalid(request, exc):
    return api.create_response(request, {"detail": "请求参数不正确", "errors": exc.errors}, status=422)


@api.exception_handler(TooManyRequests)
def _too_many(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=429)


@api.exception_handler(Conflict)
def _conflict(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


def register_routers() -> None:
    """Mount `redgrid.<app>.api.router` of every app that has one (apps add APIs without editing core)."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("redgrid.") and find_spec(f"{config.name}.api"):
            module = import_module(f"{config.name}.api")
            if hasattr(module, "router"):
                api.add_router(getattr(module, "PREFIX", "/"), module.router)
