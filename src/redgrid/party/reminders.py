"""Exactly-once reminders of the party app and the periodic task that sends them.

Each sweep (定期填报 due dates, 换届, 双报到 report-back) builds a list of reminders keyed by what they are
about (e.g. ``report:activities:2026-06-01:12``). `send_once` records the keys in `PartyReminderLog`, whose
unique key is the compare-and-swap: a reminder whose key exists is skipped, and two sweeps racing on
the same key cannot both commit, so nobody is reminded twice.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from redgrid.core.models import Notification
from redgrid.core.tasks import every
from redgrid.party.models import PartyReminderLog

BATCH = 500


@dataclass
class Reminder:
    key: str
    recipients: set[int]
    title: str
    body: str = ""
    link: str = ""
    kind: str = "party.reminder"
    extra: dict = field(default_factory=dict)


def org_staff_ids(org_ids: Iterable[int]) -> dict[int, set[int]]:
    """{org id: account ids granted on that organisation} (支部书记/党务工作者), one query."""
    from redgrid.accounts.models import RoleGrant

    result: dict[int, set[int]] = {}
    rows = RoleGrant.objects.filter(party_org_id__in=list(set(org_ids))).values_list(
        "party_org_id", "user_id"
    )
    for org_id, user_id in rows:
        result.setdefault(org_id, set()).add(user_id)
    return result


def send_once(reminders: list[Reminder]) -> int:
    """Send each reminder whose key was never sent; returns how many were sent.

    1. Drop keys already in the log (one query per batch).
    2. Insert the new keys and the inbox rows in one transaction; if a concurrent sweep inserted one of
       the keys first, the unique constraint fails this batch and nothing of it is sent (the other did).
    """
    sent = 0
    for i in range(0, len(reminders), BATCH):
        chunk = [r for r in reminders[i : i + BATCH] if r.recipients]
        seen = set(
            PartyReminderLog.objects.filter(key__in=[r.key for r in chunk]).values_list("key", flat=True)
        )
        fresh = [r for r in chunk if r.key not in seen]
        if not fresh:
            continue
        now = timezone.now()
        try:
            with transaction.atomic():
                PartyReminderLog.objects.bulk_create(
                    [PartyReminderLog(key=r.key, sent_at=now) for r in fresh]
                )
                Notification.objects.bulk_create(
                    [
                        Notification(
                            recipient_id=u, title=r.title[:200], body=r.body, link=r.link, kind=r.kind
                        )
                        for r in fresh
                        for u in sorted(r.recipients)
                    ]
                )
        except IntegrityError:
            continue
        sent += len(fresh)
    return sent


def run_sweeps(today=None) -> dict:
    """All party reminder sweeps for `today` (local date)."""
    from redgrid.party import dual_report, reporting, terms

    today = today or timezone.localdate()
    return {
        "reports": reporting.report_reminders(today),
        "terms": terms.term_reminders(today),
        "dual_feedback": dual_report.dual_feedback(today),
    }


@every(3600)
@task()
def party_reminders_task() -> dict:
    """定期填报、换届 and 双报到 reminders (each sent once; see `send_once`)."""
    return run_sweeps()
