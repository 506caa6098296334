"""发展党员 pages: the branch's applicant list, a new file, the applicant file with the next-step form,
uploads, 公示 and objections, the overdue roll-up, and the 公示 pages members and residents read."""

import mimetypes
from datetime import date, timedelta
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.core.access import get_or_404
from redgrid.core.api import Conflict, TooManyRequests
from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.party import recruitment as services
from redgrid.party import recruitment_rules as rr
from redgrid.party import recruitment_selectors as sel
from redgrid.party.models import Applicant, PartyOrg, RecruitmentObjection
from redgrid.party.selectors import party_orgs_visible_to

EVENT_LABELS = {
    "step": "办理",
    "document": "上传材料",
    "publicity": "发布公示",
    "objection": "收到公示异议",
    "objection_resolve": "处理公示异议",
    "extend_probation": "延长预备期",
    "terminate": "终止发展",
    "reminded": "期限提醒",
    "overdue": "超期提醒",
}
FAILURES = (ValidationError, Conflict, PermissionDenied, TooManyRequests, ValueError)


def _fail(request, exc) -> None:
    for text in exc.messages if isinstance(exc, ValidationError) else [str(exc)]:
        messages.error(request, text)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError as exc:
        raise ValidationError("日期格式应为 YYYY-MM-DD") from exc


@staff_required
def applicants(request):
    """The applicants of the branches in scope: search, filter by step and status, overdue first."""
    q = request.GET.get("q", "").strip()
    step = request.GET.get("step", "")
    step = int(step) if step.isdigit() and 1 <= int(step) <= rr.LAST_STEP else None
    status = request.GET.get("status", Applicant.Status.ACTIVE)
    overdue = request.GET.get("overdue") == "1"
    qs = sel.search_applicants(request.user, q=q, step=step, status=status, overdue=overdue)
    ctx = paginate(request, qs)
    today = timezone.localdate()
    for a in ctx["rows"]:
        a.next_label = (
            rr.step_label(a.step + 1) if a.status == Applicant.Status.ACTIVE and a.step < 25 else ""
        )
        a.is_overdue = a.status == Applicant.Status.ACTIVE and a.due_on is not None and a.due_on < today
    ctx.update(
        q=q,
        step=step,
        status=status,
        overdue=overdue,
        steps=rr.STEP_NAMES.items(),
        statuses=Applicant.Status.choices,
        can_write=sel.can_write(request.user),
    )
    return render_staff(request, "party/recruitment/list.html", ctx)


@staff_required
def applicant_new(request):
    """Step 1: pick a resident and the branch, with the date the application was received."""
    if not sel.can_write(request.user):
        raise Http404
    q = request.GET.get("q", "").strip()
    branches = party_orgs_visible_to(request.user).filter(kind__in=PartyOrg.BRANCH_KINDS).order_by("path")
    form = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            person = get_or_404(sel.candidate_residents(request.user), pk=request.POST.get("person"))
            branch = get_or_404(branches, pk=request.POST.get("branch"))
            applicant = services.applicant_create(
                actor=request.user,
                person=person,
                branch=branch,
                applied_on=_day(request.POST.get("applied_on", "")),
                note=request.POST.get("note", ""),
            )
        except Http404:
            messages.error(request, "请选择申请人和党支部")
        except FAILURES as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"已建立{applicant.person.name}的入党申请人档案")
            return redirect("party:recruitment_applicant", pk=applicant.pk)
    people = sel.candidate_residents(request.user, q)[:20] if q else []
    return render_staff(
        request,
        "party/recruitment/new.html",
        {"q": q, "people": people, "branches": branches, "form": form, "today": timezone.localdate()},
    )


def _steps_table(applicant: Applicant) -> list[dict]:
    done = {s.number: s for s in applicant.steps.all()}
    docs: dict[int, list] = {}
    for d in applicant.documents.all():
        docs.setdefault(d.step, []).append(d)
    rows = []
    for number, stage, stage_name, name in rr.R.RECRUITMENT_STEPS:
        rows.append(
            {
                "number": number,
                "stage": stage,
                "stage_name": stage_name,
                "name": name,
                "record": done.get(number),
                "documents": docs.get(number, []),
                "current": number == applicant.step + 1 and applicant.status == Applicant.Status.ACTIVE,
            }
        )
    return rows


@staff_required
def applicant(request, pk):
    a = sel.access_applicant(request.user, pk)
    today = timezone.localdate()
    nxt = a.step + 1 if a.status == Applicant.Status.ACTIVE and a.step < rr.LAST_STEP else None
    publicity_needed = nxt in rr.publicity_steps() if nxt else False
    next_publicity = a.publicities.filter(before_step=nxt).first() if nxt else None
    ctx = {
        "a": a,
        "today": today,
        "steps": _steps_table(a),
        "next": nxt,
        "next_label": rr.step_label(nxt) if nxt else "",
        "fields": rr.STEP_FIELDS.get(nxt, ()),
        "late_allowed": nxt in rr.LATE_STEPS,
        "blocked": services.publicity_block(a, nxt, today) if nxt else "",
        "publicity_needed": publicity_needed and next_publicity is None,
        "publicities": a.publicities.order_by("before_step"),
        "objections": sel.objections_of(a).order_by("created_at"),
        "sponsors": a.sponsors.select_related("member__person").order_by("role", "id"),
        "candidates": sel.branch_members(a) if nxt in (5, 9) else [],
        "groups": a.branch.get_children().filter(kind__in=PartyOrg.GROUP_KINDS) if nxt == 19 else [],
        "events": _labelled(a.events.select_related("actor").order_by("-at", "-id")[:100]),
        "probation_end": rr.probation_end_of(a),
        "is_overdue": a.status == Applicant.Status.ACTIVE and a.due_on is not None and a.due_on < today,
        "can_write": sel.can_write(request.user),
        "can_extend": a.status == Applicant.Status.ACTIVE and a.step == 22,
        "upload_steps": range(1, min(a.step + 1, rr.LAST_STEP) + 1),
        "max_mb": rr.int_rule("party.recruit.document_max_mb"),
        "publicity_days": rr.int_rule("party.recruit.publicity_working_days"),
    }
    return render_staff(request, "party/recruitment/applicant.html", ctx)


def _labelled(events) -> list:
    rows = list(events)
    for e in rows:
        e.label = EVENT_LABELS.get(e.action, e.action)
    return rows


def _posted_data(post) -> dict:
    keys = ("present", "entitled", "yes_votes", "days", "hours", "conclusion", "group_id")
    return {k: post.get(k) for k in keys if post.get(k, "") != ""}


@require_POST
@staff_required
def applicant_advance(request, pk):
    a = sel.access_applicant(request.user, pk)
    p = request.POST
    try:
        step = int(p.get("step", "0"))
        services.applicant_advance(
            actor=request.user,
            applicant=a,
            step=step,
            on=_day(p.get("on", "")),
            note=p.get("note", ""),
            people=[int(x) for x in p.getlist("people") if x.isdigit()],
            data=_posted_data(p),
            late_reason=p.get("late_reason", ""),
        )
    except FAILURES as exc:
        _fail(request, exc)
    else:
        messages.success(request, f"已办理{rr.step_label(step)}")
    return redirect("party:recruitment_applicant", pk=a.pk)


@require_POST
@staff_required
def applicant_upload(request, pk):
    a = sel.access_applicant(request.user, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError("请选择要上传的文件")
        services.document_upload(
            actor=request.user,
            applicant=a,
            step=int(request.POST.get("step", "0")),
            upload=upload,
            name=request.POST.get("name", ""),
        )
    except FAILURES as exc:
        _fail(request, exc)
    else:
        messages.success(request, "材料已上传")
    return redirect("party:recruitment_applicant", pk=a.pk)


def document_response(applicant: Applicant, doc_id) -> FileResponse:
    """The stored file with the type sniffed at upload, shown inline under its (quoted) name."""
    doc = applicant.documents.filter(pk=doc_id).first()
    if doc is None:
        raise Http404
    ext = mimetypes.guess_extension(doc.content_type) or ""
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type)
    filename = doc.name if doc.name.lower().endswith(ext) else f"{doc.name}{ext}"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
def applicant_document(request, pk, doc_id):
    """A document, only to accounts that may read the file (uploads are never public files)."""
    return document_response(sel.access_applicant(request.user, pk), doc_id)


@require_POST
@staff_required
def applicant_publicity(request, pk):
    a = sel.access_applicant(request.user, pk)
    try:
        pub = services.publicity_open(
            actor=request.user,
            applicant=a,
            starts_on=_day(request.POST.get("starts_on", "")),
            content=request.POST.get("content", ""),
        )
    except FAILURES as exc:
        _fail(request, exc)
    else:
        messages.success(request, f"公示已发布，公示期至{pub.ends_on:%Y年%m月%d日}")
    return redirect("party:recruitment_applicant", pk=a.pk)


@require_POST
@staff_required
def applicant_extend(request, pk):
    a = sel.access_applicant(request.user, pk)
    try:
        services.applicant_extend_probation(
            actor=request.user,
            applicant=a,
            months=int(request.POST.get("months", "0") or 0),
            reason=request.POST.get("reason", ""),
            on=_day(request.POST.get("on", "")),
        )
    except FAILURES as exc:
        _fail(request, exc)
    else:
        messages.success(request, "已延长预备期")
    return redirect("party:recruitment_applicant", pk=a.pk)


@require_POST
@staff_required
def applicant_terminate(request, pk):
    a = sel.access_applicant(request.user, pk)
    try:
        services.applicant_terminate(actor=request.user, applicant=a, reason=request.POST.get("reason", ""))
    except FAILURES as exc:
        _fail(request, exc)
    else:
        messages.success(request, "已终止发展")
    return redirect("party:recruitment_applicant", pk=a.pk)


@require_POST
@staff_required
def objection_resolve(request, pk, objection_id):
    a = sel.access_applicant(request.user, pk)
    objection = get_or_404(sel.objections_of(a), pk=objection_id)
    try:
        services.objection_resolve(
            actor=request.user,
            objection=objection,
            decision=request.POST.get("decision", ""),
            resolution=request.POST.get("resolution", ""),
        )
    except FAILURES as exc:
        _fail(request, exc)
    else:
        messages.success(request, "异议已处理")
    return redirect("party:recruitment_applicant", pk=a.pk)


@staff_required
def overdue(request):
    """Overdue files per organisation, rolled up the tree, and the overdue files themselves."""
    today = timezone.localdate()
    orgs = [o for o in sel.overdue_rollup(request.user, today) if o.active]
    ctx = paginate(request, sel.search_applicants(request.user, status=Applicant.Status.ACTIVE, overdue=True))
    for a in ctx["rows"]:
        a.next_label = rr.step_label(a.step + 1)
        a.days_late = (today - a.due_on).days
    ctx.update(orgs=orgs, today=today)
    return render_staff(request, "party/recruitment/overdue.html", ctx)


# --- 公示 pages for members and residents (mobile) ------------------------------------------------------


@login_required
def notices(request):
    today = timezone.localdate()
    qs = (
        sel.publicities_for(request.user)
        .filter(ends_on__gte=today - timedelta(days=30))
        .select_related("applicant__person", "applicant__branch")
        .order_by("-starts_on", "-id")
    )
    ctx = paginate(request, qs, per_page=20)
    for p in ctx["rows"]:
        p.running = p.starts_on <= today <= p.ends_on
        p.step_name = rr.STEP_NAMES.get(p.before_step, "")
    return render(request, "party/recruitment/notices.html", ctx)


@login_required
def notice(request, pk):
    pub = sel.access_publicity(request.user, pk)
    today = timezone.localdate()
    if request.method == "POST":
        try:
            services.objection_submit(
                actor=request.user, publicity=pub, content=request.POST.get("content", "")
            )
        except FAILURES as exc:
            _fail(request, exc)
        else:
            messages.success(request, "异议已提交，党组织将核实处理并告知结果")
            return redirect("party:recruitment_notice", pk=pub.pk)
    mine = RecruitmentObjection.objects.filter(publicity=pub, submitter=request.user).order_by("created_at")
    return render(
        request,
        "party/recruitment/notice.html",
        {
            "p": pub,
            "person": pub.applicant.person,
            "running": pub.starts_on <= today <= pub.ends_on,
            "step_name": rr.STEP_NAMES.get(pub.before_step, ""),
            "mine": mine,
        },
    )
