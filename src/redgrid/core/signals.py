"""Audit rows for login, logout and failed login (等保 2.0: audit security-relevant actions)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from redgrid.core import audit
from redgrid.core.context import client_ip


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record("login", user, actor=user, ip=client_ip(request) if request else None,
                 summary={"via": getattr(request, "login_via", "page") if request else "unknown"})


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record("logout", user, actor=user, ip=client_ip(request) if request else None)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit.record(
        "login_failed",
        ip=client_ip(request) if request else None,
        object_type="accounts.user",
        object_repr=str(credentials.get("username", ""))[:150],
    )


def _invalidate_rules(**kwargs):
    from redgrid.core import rules

    rules.invalidate()


def _invalidate_calendar(**kwargs):
    from redgrid.core import calendar

    calendar.invalidate()


def connect_rule_cache():
    from django.db.models.signals import post_delete, post_save

    from redgrid.core.models import CalendarDay, Rule

    post_save.connect(_invalidate_rules, sender=Rule, dispatch_uid="rule-cache-save")
    post_delete.connect(_invalidate_rules, sender=Rule, dispatch_uid="rule-cache-delete")
    post_save.connect(_invalidate_calendar, sender=CalendarDay, dispatch_uid="calendar-cache-save")
    post_delete.connect(_invalidate_calendar, sender=CalendarDay, dispatch_uid="calendar-cache-delete")


connect_rule_cache()
