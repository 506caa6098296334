from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from redgrid.core import audit
from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.party import limits, roster, roster_jobs, rules
from redgrid.party.models import PartyMember, PartyOrg
from redgrid.party.selectors import (
    access_party_org,
    coverage_gaps_visible_to,
    members_visible_to,
    org_member_counts,
    party_orgs_visible_to,
)


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
        codes = rules.branch_findings(
            counts["full"], counts["probationary"], org.has_committee, **limits.branch_limits()
        )
        findings = [rules.FINDING_MESSAGES[c] for c in sorted(codes)]
    return render_staff(
        request,
        "party/org.html",
        {
            "org": org,
            "counts": counts,
            "findings": findings,
            "children": org.get_children().order_by("path"),
            "regions": org.regions.order_by("code"),
        },
    )


def _filtered_members(request):
    qs = members_visible_to(request.user).select_related("person", "org").order_by("org__path", "id")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(person__name__icontains=q) | Q(org__name__icontains=q))
    if status in PartyMember.Status.values:
        qs = qs.filter(status=status)
    return qs, q, status


@staff_required
def members(request):
    qs, q, status = _filtered_members(request)
    ctx = paginate(request, qs)
    ctx.update(
        q=q, status=status, statuses=PartyMember.Status.choices, querystring_all=request.GET.urlencode()
    )
    return render_staff(request, "party/members.html", ctx)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@staff_required
def members_export(request):
    """The filtered member list (same filters as the page) as xlsx."""
    qs, _, _ = _filtered_members(request)
    audit.record(
        "party.roster.export", object_type="party.partymember", summary={"filters": request.GET.dict()}
    )
    return _xlsx(roster.export_workbook(qs), "党员名册.xlsx")


@staff_required
def members_template(request):
    return _xlsx(roster.template_workbook(), "党员花名册导入模板.xlsx")


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@staff_required
def members_import(request):
    """Upload a roster: the import runs as a background job and the job page shows its progress. The page's
    script uploads with a progress bar and asks for JSON; without the script the form posts and redirects."""
    errors = []
    if request.method == "POST":
        try:
            job = roster_jobs.roster_job_start(actor=request.user, upload=request.FILES.get("file"))
        except ValidationError as exc:
            errors = exc.messages
        else:
            url = reverse("party:members_import_job", args=[job.pk])
            if _wants_json(request):
                return JsonResponse({"url": url}, status=201)
            return redirect(url)
        if _wants_json(request):
            return JsonResponse({"errors": errors}, status=400)
    return render_staff(
        request,
        "party/members_import.html",
        {
            "errors": errors,
            "jobs": roster_jobs.recent_jobs(request.user),
            "max_mb": roster_jobs.MAX_BYTES >> 20,
        },
        status=400 if errors else 200,
    )


def _job_state(job) -> dict:
    return {
        "status": job.status,
        "label": job.get_status_display(),
        "running": job.running,
        "percent": job.percent,
        "done": job.done,
        "total": job.total,
        "created": job.created,
        "errors": job.errors,
    }


@staff_required
def members_import_job(request, pk):
    job = roster_jobs.roster_job_for(request.user, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(_job_state(job))
    return render_staff(request, "party/members_import_job.html", {"job": job, "state": _job_state(job)})


@staff_required
def coverage(request):
    return render_staff(request, "party/coverage.html", {"gaps": coverage_gaps_visible_to(request.user)})
