"""Reads for the platform frame: workbench sections, H5 profile, inbox, task-queue health."""

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

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
    from redgrid.party.models import PartyMember, PartyOrg
    from redgrid.party.selectors import coverage_report, org_member_counts, party_orgs_visible_to
    from redgrid.regions.models import Household, Region, Resident
    from redgrid.units.selectors import units_visible_to

    grants = list(user.grants.select_related("region", "party_org", "unit"))
    sections = []
    for grant in grants:
        stats = []
        if grant.region_id:
            region = grant.region
            prefix = region.path
            grids = Region.objects.filter(level=Region.Level.GRID, path__startswith=prefix)
            stats = [
                ("网格", grids.count()),
                ("户", Household.objects.filter(building__grid__path__startswith=prefix).count()),
                ("居民", Resident.objects.filter(household__building__grid__path__startswith=prefix).count()),
            ]
            if grant.role in (Role.COMMUNITY, Role.STREET_ADMIN, Role.LEADER, Role.SYSADMIN):
                stats.append(("党员", PartyMember.objects.filter(
                    org__in=party_orgs_visible_to(user).values("pk")).count()))
                stats.append(("未覆盖网格", coverage_report(region).count()))
            if grant.role in (Role.STREET_ADMIN, Role.LEADER, Role.SYSADMIN):
                stats.append(("责任单位", units_visible_to(user).count()))
        elif grant.party_org_id:
            org = grant.party_org
            counts = org_member_counts([o.pk for o in PartyOrg.get_tree(org)])
            full = sum(c["full"] for c in counts.values())
            prob = sum(c["probationary"] for c in counts.values())
            stats = [("正式党员", full), ("预备党员", prob), ("下级组织", org.get_descendant_count())]
        elif grant.unit_id:
            stats = [("负责事项", grant.unit.categories.count())]
        sections.append({"grant": grant, "stats": stats})
    return sections


def h5_profile(user) -> dict:
    person = user.person
    household = person.household if person and person.household_id else None
    grid = household.building.grid if household else None
    member = getattr(person, "party_member", None) if person else None
    from django.urls import reverse

    from redgrid.core.registry import H5_TILES

    tiles = [
        {"url": reverse(t["url_name"]), "label": t["label"], "icon": t["icon"]}
        for t in H5_TILES
        if member is not None or not t["members_only"]
    ]
    return {
        "h5_tiles": tiles,
        "person": person,
        "household": household,
        "grid": grid,
        "member": member,
        "unread": inbox_of(user).filter(read_at__isnull=True).count(),
    }
