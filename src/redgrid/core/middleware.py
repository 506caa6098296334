from django.conf import settings

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
