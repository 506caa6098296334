import time
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse


class IdleTimeoutMiddleware:
    """End staff sessions after `STAFF_IDLE_TIMEOUT` without a request (等保 2.0: 超时自动退出)."""

    KEY = "last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and _is_staff(request):
            now = time.time()
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.STAFF_IDLE_TIMEOUT.total_seconds():
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                from django.contrib import messages

                messages.info(request, "长时间未操作，已自动退出，请重新登录。")
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={quote(request.path)}")
            request.session[self.KEY] = now
        return self.get_response(request)


def _is_staff(request) -> bool:
    cached = getattr(request, "_is_staff_cache", None)
    if cached is None:
        user = request.user
        cached = user.is_staff or user.is_superuser or user.grants.exists()
        request._is_staff_cache = cached
    return cached
