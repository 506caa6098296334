from django.db.models import Q

from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.party import rules
from redgrid.party.models import PartyMember, PartyOrg
from redgrid.party.selectors import (
    access_party_org,
    coverage_report,
    members_visible_to,
    org_member_counts,
    party_orgs_visible_to,
)
from redgrid.regions.models import Region


@staff_required
def orgs(request):
    qs = party_orgs_visible_to(request.user).order_by("path")
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if q:
        qs = qs.filter(name__icontains=q)
    if kind in PartyOrg.Kind.values:
        qs = qs.filter(kind=kind)
    ctx = paginate(request, qs, per_page=50)
    counts = org_member_counts([o.pk for o in ctx["rows"]])
    for o in ctx["rows"]:
        c = counts.get(o.pk, {"full": 0, "probationary": 0})
        o.full, o.probationary = c["full"], c["probationary"]
        o.indent = (o.depth - 1) * 16
    ctx.update(q=q, kind=kind, kinds=PartyOrg.Kind.choices)
    return render_staff(request, "party/orgs.html", ctx)


@staff_required
def org(request, pk):
    org = access_party_org(request.user, pk)
    counts = org_member_counts([org.pk]).get(org.pk, {"full": 0, "probationary": 0})
    findings = []
    if org.kind in PartyOrg.BRANCH_KINDS:
        codes = rules.branch_findings(counts["full"], counts["probationary"], org.has_committee)
        findings = [rules.FINDING_MESSAGES[c] for c in sorted(codes)]
    return render_staff(request, "party/org.html", {
        "org": org, "counts": counts, "findings": findings,
        "children": org.get_children().order_by("path"),
        "regions": org.regions.order_by("code"),
    })


@staff_required
def members(request):
    qs = members_visible_to(request.user).select_related("person", "org").order_by("org__path", "id")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(person__name__icontains=q) | Q(org__name__icontains=q))
    if status in PartyMember.Status.values:
        qs = qs.filter(status=status)
    ctx = paginate(request, qs)
    ctx.update(q=q, status=status, statuses=PartyMember.Status.choices)
    return render_staff(request, "party/members.html", ctx)


@staff_required
def coverage(request):
    from redgrid.core.access import scope_of

    scope = scope_of(request.user)
    roots = Region.objects.filter(path__in=scope.region_paths) if not scope.is_admin else \
        Region.objects.filter(depth=1)
    gaps = []
    for root in roots:
        gaps.extend(coverage_report(root))
    return render_staff(request, "party/coverage.html", {"gaps": gaps, "roots": roots})
