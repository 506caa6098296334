import time

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from redgrid.core.access import scope_of
from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.core.selectors import inbox_of, workbench_sections


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect("workbench" if scope_of(request.user).is_staff else "h5_home")


@staff_required
def workbench(request):
    """工作台: one section per role the account holds."""
    return render_staff(request, "core/workbench.html", {"sections": workbench_sections(request.user)})


@login_required
def h5_home(request):
    """The mobile home for residents and party members."""
    from redgrid.core.selectors import h5_profile

    return render(request, "core/h5_home.html", h5_profile(request.user))


@login_required
def inbox(request):
    ctx = paginate(request, inbox_of(request.user))
    template = "core/inbox.html"
    if scope_of(request.user).is_staff:
        return render_staff(request, template, ctx)
    return render(request, template, ctx)


@login_required
@require_POST
def inbox_read_all(request):
    inbox_of(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("inbox")


@never_cache
def healthz(request):
    """Liveness of the database and the task queue, for load balancers and monitoring."""
    started = time.monotonic()
    status = {"database": "ok", "tasks": "ok"}
    code = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database_ms"] = round((time.monotonic() - started) * 1000, 2)
    except Exception as exc:  # noqa: BLE001 - any DB failure means unhealthy
        status["database"] = f"error: {exc.__class__.__name__}"
        code = 503
    if code == 200:
        from redgrid.core.selectors import task_queue_health

        status.update(task_queue_health())
        if status["tasks"] != "ok":
            code = 503
    status["status"] = "ok" if code == 200 else "error"
    return JsonResponse(status, status=code, json_dumps_params={"ensure_ascii": False})
