"""发展党员 (recruitment): scoped reads of applicant files, 公示 and objections, and the overdue roll-up.

A branch sees its own files and a committee those of its subtree (through `party_orgs_visible_to`);
members and residents see only the 公示 of their own branch or area. Anything else answers 404.
"""

from datetime import date, timedelta

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from redgrid.core.access import Scope, get_or_404, outermost, scope_of
from redgrid.core.crypto import lookup_hash, normalise
from redgrid.party import services
from redgrid.party.models import Applicant, PartyMember, PartyOrg, RecruitmentObjection, RecruitmentPublicity
from redgrid.party.recruitment_rules import int_rule
from redgrid.party.selectors import party_orgs_visible_to
from redgrid.regions.models import Region, Resident

#: Roles that may read recruitment files, and the roles that may record steps (admins may do both).
READ_ROLES = ("branch", "community", "street", "leader")
WRITE_ROLES = ("branch", "community", "street")

S = Applicant.Status


# ---------------------------------------------------------------------------------------------------------
# Selectors (scoped reads)
# ---------------------------------------------------------------------------------------------------------


def applicants_visible_to(user) -> QuerySet[Applicant]:
    """Files of branches in the account's party scope (a branch its own, a committee its subtree)."""
    scope = scope_of(user)
    if not scope.has_role(*READ_ROLES):
        return Applicant.objects.none()
    if scope.is_admin:
        return Applicant.objects.all()
    return Applicant.objects.filter(branch__in=party_orgs_visible_to(user).values("pk"))


def access_applicant(user, pk) -> Applicant:
    return get_or_404(applicants_visible_to(user).select_related("person", "branch", "member"), pk=pk)


def can_write(user) -> bool:
    return scope_of(user).has_role(*WRITE_ROLES)


def overdue_first(qs: QuerySet[Applicant], today: date) -> QuerySet[Applicant]:
    """Active files past their deadline first (earliest deadline first), then by application date."""
    late = Case(
        When(status=S.ACTIVE, due_on__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    # files without a deadline go after those with one (SQLite sorts NULL first otherwise)
    return qs.annotate(late=late).order_by("late", F("due_on").asc(nulls_last=True), "-applied_on", "-id")


def search_applicants(user, *, q: str = "", step: int | None = None, status: str = "", overdue=False):
    today = timezone.localdate()
    qs = applicants_visible_to(user).select_related("person", "branch")
    if q:
        qs = qs.filter(Q(person__name__icontains=q) | Q(branch__name__icontains=q))
    if step:
        qs = qs.filter(step=step)
    if status in S.values:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status=S.ACTIVE, due_on__lt=today)
    return overdue_first(qs, today)


def overdue_rollup(user, today: date | None = None) -> list[PartyOrg]:
    """Visible organisations (not party groups) in tree order with `active`, `overdue` and `due_soon`
    counts of their whole subtree: two queries, whatever the size of the tree."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=int_rule("party.recruit.reminder_days"))
    rows = (
        applicants_visible_to(user)
        .filter(status=S.ACTIVE)
        .values("branch__path")
        .annotate(
            active=Count("id"),
            overdue=Count("id", filter=Q(due_on__lt=today)),
            due_soon=Count("id", filter=Q(due_on__gte=today, due_on__lte=soon)),
        )
    )
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        # add each branch's figures to the branch and every organisation above it
        for prefix in _path_prefixes(row["branch__path"]):
            t = totals.setdefault(prefix, {"active": 0, "overdue": 0, "due_soon": 0})
            for key in t:
                t[key] += row[key]
    orgs = list(party_orgs_visible_to(user).exclude(kind__in=PartyOrg.GROUP_KINDS).order_by("path"))
    for org in orgs:
        t = totals.get(org.path, {})
        org.active, org.overdue, org.due_soon = t.get("active", 0), t.get("overdue", 0), t.get("due_soon", 0)
        org.indent = (org.depth - 1) * 16
    return orgs


def _path_prefixes(path: str) -> list[str]:
    step = PartyOrg.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def candidate_residents(user, q: str = "") -> QuerySet[Resident]:
    """People a staff account may register as applicants: residents of its region scope or of the grids
    its party organisations are responsible for; `q` matches the name or a full ID number."""
    scope = scope_of(user)
    if not scope.has_role(*WRITE_ROLES):
        return Resident.objects.none()
    paths = list(scope.region_paths)
    paths += Region.objects.filter(party_orgs__in=party_orgs_visible_to(user).values("pk")).values_list(
        "path", flat=True
    )
    where = Scope(is_admin=scope.is_admin).path_q(outermost(paths), "household__building__grid__path")
    qs = Resident.objects.filter(where).exclude(party_member__status__in=PartyMember.ACTIVE)
    if q:
        compact = q.replace(" ", "")
        qs = qs.filter(Q(name__icontains=q) | Q(id_number_hash=lookup_hash(normalise("id_number", compact))))
    return qs.order_by("name", "id")


def branch_members(applicant: Applicant) -> QuerySet[PartyMember]:
    """Full members of the applicant's branch (candidates for 培养联系人 and 入党介绍人)."""
    return (
        services.active_members_under(applicant.branch)
        .filter(status=PartyMember.Status.FULL)
        .exclude(person_id=applicant.person_id)
        .select_related("person")
        .order_by("person__name", "id")
    )


def publicities_for(user) -> QuerySet[RecruitmentPublicity]:
    """公示 an account may read and object to: staff in scope; members of the branch (or its groups);
    residents living in the grids the branch is responsible for."""
    if scope_of(user).has_role(*READ_ROLES):
        return RecruitmentPublicity.objects.filter(applicant__in=applicants_visible_to(user).values("pk"))
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return RecruitmentPublicity.objects.none()
    cond = Q(pk__in=[])
    member = PartyMember.objects.filter(person_id=person_id, status__in=PartyMember.ACTIVE).first()
    if member is not None:
        cond |= Q(applicant__branch__path__in=_path_prefixes(member.org.path))
    grid = Region.objects.filter(buildings__households__members__id=person_id).first()
    if grid is not None:
        cond |= Q(applicant__branch__regions__path__in=Region.prefixes(grid.path))
    return RecruitmentPublicity.objects.filter(cond).distinct()


def access_publicity(user, pk) -> RecruitmentPublicity:
    return get_or_404(publicities_for(user).select_related("applicant__person", "applicant__branch"), pk=pk)


def objections_of(applicant: Applicant) -> QuerySet[RecruitmentObjection]:
    return RecruitmentObjection.objects.filter(publicity__applicant=applicant).select_related(
        "publicity", "submitter", "resolved_by"
    )
