"""Reads for the platform frame: workbench sections, H5 profile, inbox, task-queue health."""

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from redgrid.core.access import scope_of
from redgrid.core.models import Notification


def inbox_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def task_queue_health() -> dict:
    backend = settings.TASKS["default"]["BACKEND"]
    if not backend.startswith("django_tasks_db"):
        return {"tasks": "ok", "task_backend": backend.rsplit(".", 1)[-1]}
    from django_tasks_db.models import DBTaskResult

    pending = DBTaskResult.objects.filter(status="READY")
    oldest = pending.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    lag = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    # A queue whose oldest ready task waited 10 minutes has no live worker.
    return {
        "tasks": "ok" if lag < 600 else "stalled",
        "task_backend": "database",
        "tasks_pending": pending.count(),
        "tasks_oldest_wait_s": round(lag, 1),
    }


def workbench_sections(user) -> list[dict]:
    """Figures and links for each role the account holds (design.md §1)."""
    from redgrid.accounts.models import Role
    from redgrid.appeals.queues import queue_counts
    from redgrid.party.selectors import coverage_report, members_visible_to, org_tree_member_counts
    from redgrid.regions.selectors import region_totals
    from redgrid.units.selectors import units_visible_to

    appeal_counts = queue_counts(user)  # open work in each 接诉即办 queue the account has
    sections = []
    for grant in user.grants.select_related("region", "party_org", "unit"):
        stats = []
        if grant.region_id:
            totals = region_totals(grant.region)
            stats = [("网格", totals["grids"]), ("户", totals["households"]), ("居民", totals["residents"])]
            if grant.role in (Role.COMMUNITY, Role.STREET_ADMIN, Role.LEADER, Role.SYSADMIN):
                stats.append(("党员", members_visible_to(user).count()))
                stats.append(("未覆盖网格", coverage_report(grant.region).count()))
            if grant.role in (Role.STREET_ADMIN, Role.LEADER, Role.SYSADMIN):
                stats.append(("责任单位", units_visible_to(user).count()))
            if grant.role in (Role.COMMUNITY, Role.STREET_ADMIN, Role.LEADER) and "dispatch" in appeal_counts:
                stats.append(("待分拨诉求", appeal_counts["dispatch"]))
            if grant.role in (Role.GRID_WORKER, Role.COMMUNITY) and "verify" in appeal_counts:
                stats.append(("待核查诉求", appeal_counts["verify"]))
        elif grant.party_org_id:
            counts = org_tree_member_counts(grant.party_org)
            stats = [
                ("正式党员", counts["full"]),
                ("预备党员", counts["probationary"]),
                ("下级组织", counts["descendants"]),
            ]
        elif grant.unit_id:
            stats = [
                ("负责事项", grant.unit.categories.count()),
                ("待报到派单", appeal_counts.get("unit", 0)),
            ]
        sections.append({"grant": grant, "stats": stats})
    return sections


def h5_profile(user) -> dict:
    person = user.person
    household = person.household if person and person.household_id else None
    grid = household.building.grid if household else None
    member = getattr(person, "party_member", None) if person else None
    from django.urls import reverse

    from redgrid.core.registry import H5_TILES

    scope = scope_of(user)
    tiles = [
        {"url": reverse(t["url_name"]), "label": t["label"], "icon": t["icon"]}
        for t in H5_TILES
        if (member is not None or not t["members_only"])
        and (not t.get("roles") or scope.has_role(*t["roles"]))
    ]
    return {
        "h5_tiles": tiles,
        "person": person,
        "household": household,
        "grid": grid,
        "member": member,
        "unread": inbox_of(user).filter(read_at__isnull=True).count(),
    }
