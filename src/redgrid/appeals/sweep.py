"""The deadline sweep: find overdue report-ins and resolutions and escalate each exactly once.

Deadlines are indexed timestamps; the sweep claims each overdue row with a compare-and-swap update
(`… WHERE marker IS NULL`) before notifying, so concurrent or repeated sweeps never escalate twice
(healthchecks `sendalerts`). Approving an extension or reopening clears the resolve marker, so the new
deadline is escalated again when it passes.
"""

from django.db import transaction
from django.utils import timezone

from redgrid.appeals import notify
from redgrid.appeals.models import OPEN_STATES, Appeal, AppealEvent, AppealUnitTask


def _escalate(appeal: Appeal, *, action: str, title: str, unit_ids, data: dict) -> None:
    AppealEvent.objects.create(
        appeal=appeal,
        action=action,
        actor=None,
        from_state=appeal.status,
        to_state=appeal.status,
        round=appeal.round,
        note=title,
        data=data,
        unit_id=next(iter(unit_ids), None),
    )
    recipients = notify.unit_handler_ids(unit_ids) | notify.street_admin_ids(appeal.street)
    notify.send(
        recipients, title=title, body=appeal.display_title, link=f"/appeals/{appeal.pk}/", kind="overdue"
    )


def sweep(*, now=None, batch: int = 500) -> dict:
    """1. Tasks past their report-in limit and not reported in → escalate to the unit and the street.
    2. Open appeals past their resolve deadline → escalate to the owner unit and the street.
    Returns the number of escalations of each kind sent by this run."""
    now = now or timezone.now()
    counts = {"respond": 0, "resolve": 0}
    late_tasks = AppealUnitTask.objects.filter(
        ended_at__isnull=True, reported_at__isnull=True, due_at__lt=now, overdue_notified_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(late_tasks[:batch]):
        with transaction.atomic():
            if not AppealUnitTask.objects.filter(pk=pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=now
            ):
                continue  # another sweep claimed it
            task = AppealUnitTask.objects.select_related("appeal__street", "unit").get(pk=pk)
            _escalate(
                task.appeal,
                action="overdue_respond",
                unit_ids=[task.unit_id],
                title=f"督办：{task.unit}未在时限内报到（诉求 #{task.appeal_id}）",
                data={"task": task.pk, "due_at": task.due_at.isoformat()},
            )
            counts["respond"] += 1
    late_appeals = Appeal.objects.filter(
        status__in=OPEN_STATES, resolve_due_at__lt=now, resolve_overdue_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(late_appeals[:batch]):
        with transaction.atomic():
            if not Appeal.objects.filter(
                pk=pk, resolve_overdue_at__isnull=True, status__in=OPEN_STATES
            ).update(resolve_overdue_at=now):
                continue
            appeal = Appeal.objects.select_related("street", "owner_unit").get(pk=pk)
            units = [appeal.owner_unit_id] if appeal.owner_unit_id else []
            _escalate(
                appeal,
                action="overdue_resolve",
                unit_ids=units,
                title=f"督办：诉求 #{appeal.pk} 已超过办结时限（{appeal.owner_label}）",
                data={"due_at": appeal.resolve_due_at.isoformat()},
            )
            counts["resolve"] += 1
    return counts
