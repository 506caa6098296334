from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse

from redgrid.core.context import client_ip, reset_actor, set_actor


class RequestContextMiddleware:
    """Expose the acting user and IP to services (for audit rows) for the duration of a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_actor(getattr(request, "user", None), client_ip(request))
        try:
            return self.get_response(request)
        finally:
            reset_actor(token)


class SecurityHeadersMiddleware:
    """Content-Security-Policy: scripts only from our own origin (vendored htmx/ECharts), no inline JS."""

    CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The API docs page (Swagger UI) needs an inline bootstrap script.
        if not request.path.startswith("/api/v1/docs") and not request.path.startswith(settings.STATIC_URL):
            response.headers.setdefault("Content-Security-Policy", self.CSP)
        response.headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()")
        return response


class RejectNulMiddleware:
    """Refuse input containing the NUL character with 400 before any view sees it.

    PostgreSQL text columns cannot store NUL, so such a value would otherwise surface as a server error
    deep inside a write (found by schemathesis); SQLite would store it silently. No legitimate Chinese text
    contains it. Uploaded files are binary and are not looked at, only the form fields beside them."""

    MESSAGE = "输入中含有不允许的控制字符（NUL）"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            if request.path.startswith(("/api/", "/open311/")):
                return JsonResponse({"detail": self.MESSAGE}, status=400)
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if any("\x00" in k or "\x00" in v for k, values in request.GET.lists() for v in values):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        content_type = request.content_type or ""
        if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            return any("\x00" in k or "\x00" in v for k, values in request.POST.lists() for v in values)
        body = request.body
        return b"\x00" in body or b"\\u0000" in body.lower()
