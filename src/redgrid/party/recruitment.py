"""发展党员 (recruitment): the services (writes) of the applicant file walking the 25 steps of
《中国共产党发展党员工作细则》, and the deadline sweep.

The regulations are the pure functions of `party.rules`; `party.recruitment_rules` applies them to a file
(step checks, deadlines, 公示 working days, its rules-table rows) and `party.recruitment_selectors` holds
the scoped reads. Every service is keyword-only, runs in one transaction, locks the applicant row, checks
the order of the steps (an out-of-order step is a `Conflict`, HTTP 409, naming the current step) and the
time limits (a `ValidationError` citing the document and article), writes an `ApplicantEvent` row and an
audit row, and notifies on commit. Deadlines are stored as `Applicant.due_on` and swept by
`recruitment_sweep` with compare-and-swap markers.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_tasks import task

from redgrid.core import audit
from redgrid.core.api import Conflict, TooManyRequests
from redgrid.core.tasks import every
from redgrid.party import limits, services
from redgrid.party import rules as R
from redgrid.party.models import (
    Applicant,
    ApplicantDocument,
    ApplicantEvent,
    ApplicantSponsor,
    ApplicantStep,
    PartyMember,
    PartyOrg,
    RecruitmentObjection,
    RecruitmentPublicity,
)
from redgrid.party.recruitment_rules import (
    LAST_STEP,
    LATE_STEPS,
    RECRUIT,
    STEP_CHECKS,
    STEP_NAMES,
    StepInput,
    document_type,
    int_rule,
    next_deadline,
    publicity_end,
    publicity_steps,
    step_label,
)
from redgrid.party.recruitment_selectors import can_write
from redgrid.regions.models import Resident

S = Applicant.Status
OStatus = RecruitmentObjection.Status


# ---------------------------------------------------------------------------------------------------------
# Services: shared pieces
# ---------------------------------------------------------------------------------------------------------


def _require_writer(user) -> None:
    if not can_write(user):
        raise PermissionDenied("只有党组织和社区、街道工作人员可以办理发展党员")


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _event(applicant: Applicant, *, actor, action: str, from_state="", note="", data=None) -> ApplicantEvent:
    event = ApplicantEvent.objects.create(
        applicant=applicant,
        actor=_actor(actor),
        action=action,
        from_state=from_state,
        to_state=str(applicant.step) if applicant.status == S.ACTIVE else applicant.status,
        note=note,
        data=data or {},
    )
    audit.record(
        f"party.recruit.{action}", applicant, actor=actor, summary={"step": applicant.step, **(data or {})}
    )
    return event


def _locked(applicant) -> Applicant:
    pk = applicant.pk if isinstance(applicant, Applicant) else applicant
    return Applicant.objects.select_for_update(of=("self",)).select_related("person", "branch", "member").get(pk=pk)


def _step_dates(applicant: Applicant) -> dict[int, date]:
    return dict(applicant.steps.values_list("number", "done_on"))


def _refresh_deadline(applicant: Applicant, dates: dict[int, date]) -> None:
    """Recompute the next deadline; a moved deadline re-arms both reminder markers."""
    deadline = next_deadline(applicant, dates)
    due, rule = (deadline.due, deadline.rule) if deadline else (None, "")
    if due != applicant.due_on:
        applicant.reminded_at = applicant.overdue_notified_at = None
    applicant.due_on, applicant.due_rule = due, rule[:200]


def branch_secretary_ids(branch: PartyOrg) -> list[int]:
    """Accounts holding the 支部书记 role on the branch; without any, on the nearest organisation above."""
    from redgrid.accounts.models import Role, RoleGrant

    prefixes = [branch.path[:i] for i in range(len(branch.path), 0, -PartyOrg.steplen)]
    grants = RoleGrant.objects.filter(role=Role.BRANCH_SECRETARY, party_org__path__in=prefixes)
    by_path: dict[str, list[int]] = {}
    for path, user_id in grants.values_list("party_org__path", "user_id"):
        by_path.setdefault(path, []).append(user_id)
    for path in prefixes:
        if by_path.get(path):
            return by_path[path]
    return []


def _notify_branch(applicant: Applicant, title: str, body: str = "") -> None:
    services._notify(
        branch_secretary_ids(applicant.branch),
        title=title,
        body=body,
        link=f"/party/recruitment/{applicant.pk}/",
        kind="party.recruitment",
    )


def _not_future(on: date, what: str = "日期") -> None:
    if on > timezone.localdate():
        raise ValidationError(f"{what}不能晚于今天")


# ---------------------------------------------------------------------------------------------------------
# Services: creating a file (step 1)
# ---------------------------------------------------------------------------------------------------------


def applicant_create(
    *, actor, person: Resident, branch: PartyOrg, applied_on: date, note: str = ""
) -> Applicant:
    """Step 1 递交入党申请书: open the file of a person applying to a branch.

    1. The branch must be a 党支部; the applicant must be 18 on the day of the application (细则第五条).
    2. Nobody may hold two open files or apply while already a member.
    3. Record step 1, set the talk deadline (one month, 细则第七条), event, audit, tell the secretary.
    """
    _require_writer(actor)
    if branch.kind not in PartyOrg.BRANCH_KINDS:
        raise ValidationError("入党申请书应递交给党支部")
    _not_future(applied_on, "递交入党申请书日期")
    if person.birth_date is None:
        raise ValidationError("申请人未登记出生日期，无法核对年龄，请先在居民信息中补充")
    min_age = int_rule("party.recruit.min_age")
    if not R.can_apply(person.birth_date, applied_on, min_age=min_age):
        raise ValidationError(
            f"申请入党须年满{min_age}周岁：{person.name}（{person.birth_date:%Y年%m月%d日}出生）"
            f"在{applied_on:%Y年%m月%d日}未满{min_age}周岁" + R.cite(RECRUIT, "第五条")
        )
    with transaction.atomic():
        Resident.objects.select_for_update().filter(pk=person.pk).first()
        member = PartyMember.objects.filter(person=person).first()
        if member is not None and member.status in PartyMember.ACTIVE:
            raise Conflict(f"{person.name}已是{member.get_status_display()}，不能再递交入党申请")
        if Applicant.objects.filter(person=person, status=S.ACTIVE).exists():
            raise Conflict(f"{person.name}已有正在办理的入党申请档案")
        applicant = Applicant.objects.create(
            person=person,
            branch=branch,
            step=1,
            applied_on=applied_on,
            note=(note or "").strip(),
            created_by=_actor(actor),
        )
        ApplicantStep.objects.create(
            applicant=applicant,
            number=1,
            done_on=applied_on,
            note=(note or "").strip(),
            recorded_by=_actor(actor),
        )
        _refresh_deadline(applicant, {1: applied_on})
        applicant.save(update_fields=["due_on", "due_rule"])
        _event(
            applicant,
            actor=actor,
            action="step",
            from_state="0",
            data={"step": 1, "on": applied_on.isoformat()},
        )
        _notify_branch(
            applicant, f"收到{person.name}的入党申请书", f"请于{applicant.due_on:%Y-%m-%d}前派人谈话"
        )
    return applicant


def _check_order(applicant: Applicant, number: int) -> None:
    if applicant.status != S.ACTIVE:
        raise Conflict(f"该档案{applicant.get_status_display()}，不能再办理发展步骤")
    if number != applicant.step + 1:
        current = step_label(applicant.step)
        expected = step_label(applicant.step + 1)
        raise Conflict(f"该申请人当前已完成{current}，下一步应为{expected}，不能办理{step_label(number)}")


def publicity_block(applicant: Applicant, number: int, on: date) -> str:
    """Why step `number` cannot be recorded on `on` because of its 公示, or "" when nothing blocks it."""
    if number not in publicity_steps():
        return ""
    pub = applicant.publicities.filter(before_step=number).first()
    days = int_rule("party.recruit.publicity_working_days")
    cite = R.cite(RECRUIT + "；公示期不少于" + str(days) + "个工作日为各地做法，见 rules.md §3")
    if pub is None:
        return f"办理{step_label(number)}前须先公示，公示期不少于{days}个工作日" + cite
    if on <= pub.ends_on:  # `on` is never after today, so this also covers a 公示 still running
        return f"公示期至{pub.ends_on:%Y年%m月%d日}结束，公示期满后方可办理{step_label(number)}" + cite
    counts = pub.objections.aggregate(
        open=Count("id", filter=Q(status=OStatus.OPEN)), upheld=Count("id", filter=Q(status=OStatus.UPHELD))
    )
    if counts["open"]:
        return (
            f"公示期间收到{counts['open']}条异议尚未核实处理，处理完毕后方可办理{step_label(number)}" + cite
        )
    if counts["upheld"]:
        return "公示期间反映的问题经核实属实，不能继续发展" + cite
    return ""


def applicant_advance(
    *,
    actor,
    applicant: Applicant,
    step: int,
    on: date,
    note: str = "",
    people: Iterable[int] = (),
    data: dict | None = None,
    late_reason: str = "",
) -> Applicant:
    """Record one of steps 2–25 (发展党员的下一步).

    1. Lock the file; the step must be the next one (409 naming the current step otherwise).
    2. The date may not be in the future nor before the previous step's.
    3. A step that follows a 公示 waits for its end and for every objection to be resolved (409).
    4. The step's own check (STEP_CHECKS) enforces the time limits and figures of rules.md §3.
    5. Store the step, the sponsors it names, the member record changes (17: 预备党员; 19: 党小组;
       24: 转正 through `services.member_make_full`), the next deadline, event and audit.
    """
    _require_writer(actor)
    with transaction.atomic():
        applicant = _locked(applicant)
        _check_order(applicant, step)
        dates = _step_dates(applicant)
        _not_future(on)
        previous = dates.get(applicant.step)
        if previous and on < previous:
            raise ValidationError(
                f"日期不能早于上一步（{step_label(applicant.step)}，{previous:%Y年%m月%d日}）"
            )
        blocked = publicity_block(applicant, step, on)
        if blocked:
            raise Conflict(blocked)
        inp = StepInput(
            applicant=applicant,
            number=step,
            on=on,
            dates=dates,
            people=list(people),
            data=dict(data or {}),
            late_reason=(late_reason or "").strip()[:500] if step in LATE_STEPS else "",
        )
        if step in STEP_CHECKS:
            STEP_CHECKS[step](inp)
        ApplicantStep.objects.create(
            applicant=applicant,
            number=step,
            done_on=on,
            note=(note or "").strip(),
            data=inp.cleaned,
            recorded_by=_actor(actor),
        )
        for member_id in inp.cleaned.get("people", []):
            ApplicantSponsor.objects.get_or_create(
                applicant=applicant,
                member_id=member_id,
                role=inp.cleaned["sponsor_role"],
                defaults={"assigned_on": on},
            )
        _apply_membership(applicant, step, on, inp.cleaned, actor=actor, dates=dates)
        old = applicant.step
        applicant.step = step
        if step == LAST_STEP:
            applicant.status = S.COMPLETED
        dates[step] = on
        _refresh_deadline(applicant, dates)
        applicant.save()
        _event(
            applicant,
            actor=actor,
            action="step",
            from_state=str(old),
            note=(note or "").strip(),
            data={"step": step, "on": on.isoformat(), **inp.cleaned},
        )
    return applicant


def _apply_membership(applicant: Applicant, step: int, on: date, cleaned: dict, *, actor, dates) -> None:
    """The member record follows the file: 预备党员 after 上级党委审批 (17), 党小组 (19), 正式党员 (24)."""
    if step == 17:
        applicant.member = _admit(applicant, accepted=dates[15], actor=actor)
    elif step == 19 and cleaned.get("group_id"):
        PartyMember.objects.filter(pk=applicant.member_id).update(org_id=cleaned["group_id"])
    elif step in (24, LAST_STEP):
        member = applicant.member
        if member is None:
            raise ValidationError("未找到该预备党员的党员档案")
        if member.status == PartyMember.Status.PROBATIONARY:
            end = services.member_probation_end(member)
            services.member_make_full(
                actor=actor, member=member, on=end, note=f"发展党员档案 #{applicant.pk}"
            )
        elif member.status != PartyMember.Status.FULL:
            raise Conflict(f"该党员当前状态为“{member.get_status_display()}”，不能转正")


def _admit(applicant: Applicant, *, accepted: date, actor) -> PartyMember:
    """Create (or reopen, for a former member) the 预备党员 record; 预备期 and 党费 start on the day the
    支部大会 accepted the applicant (党章第七条; 中组部党费规定)."""
    member = PartyMember.objects.select_for_update().filter(person=applicant.person).first()
    old = ""
    if member is None:
        member = PartyMember(person=applicant.person)
    elif member.status in PartyMember.ACTIVE:
        raise Conflict(f"{applicant.person.name}已是{member.get_status_display()}")
    else:
        old = member.status
    member.org = applicant.branch
    member.status = PartyMember.Status.PROBATIONARY
    member.applied_on, member.joined_on = applicant.applied_on, accepted
    member.full_member_on, member.left_on, member.probation_extension_months = None, None, 0
    member.save()
    services._member_event(
        member, actor=actor, action="admit", from_state=old, note=f"发展党员档案 #{applicant.pk}", data={}
    )
    return member


# ---------------------------------------------------------------------------------------------------------
# Services: 延长预备期, termination, documents
# ---------------------------------------------------------------------------------------------------------


def applicant_extend_probation(
    *, actor, applicant: Applicant, months: int, reason: str, on: date
) -> Applicant:
    """The 支部大会 held when the 预备期 ends decides to extend it (once, 6–12 months, 党章第七条) instead of
    转正: the member record is changed through `services.member_extend_probation`; the file stays before
    step 23, whose deadline moves to the new end."""
    _require_writer(actor)
    with transaction.atomic():
        applicant = _locked(applicant)
        if applicant.status != S.ACTIVE or applicant.step != 22:
            raise Conflict(
                f"延长预备期在{step_label(23)}时决定，该申请人当前已完成{step_label(applicant.step)}"
            )
        _not_future(on)
        member = applicant.member
        # the original year: a second extension is refused by the member service ("只能延长一次")
        end = limits.probation_end_of(member.joined_on) if member and member.joined_on else None
        if end and on < end:
            raise ValidationError(
                f"预备期至{end:%Y年%m月%d日}届满，届满时方可讨论延长预备期"
                + R.cite(R.PARTY_CONSTITUTION, "第七条")
            )
        services.member_extend_probation(actor=actor, member=applicant.member, months=months, reason=reason)
        applicant.member.refresh_from_db()
        _refresh_deadline(applicant, _step_dates(applicant))
        applicant.save()
        _event(
            applicant,
            actor=actor,
            action="extend_probation",
            from_state=str(applicant.step),
            note=reason,
            data={"months": months, "on": on.isoformat()},
        )
    return applicant


def applicant_terminate(*, actor, applicant: Applicant, reason: str) -> Applicant:
    """终止发展 (申请人撤回、考察不合格、公示异议属实…); a 预备党员 loses that status (取消预备党员资格)."""
    _require_writer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写终止发展的原因")
    with transaction.atomic():
        applicant = _locked(applicant)
        if applicant.status != S.ACTIVE:
            raise Conflict(f"该档案{applicant.get_status_display()}，不能终止")
        member = applicant.member
        if member is not None and member.status == PartyMember.Status.PROBATIONARY:
            services.member_remove(
                actor=actor, member=member, on=timezone.localdate(), reason=f"取消预备党员资格：{reason}"
            )
        old = applicant.status
        applicant.status = S.TERMINATED
        applicant.due_on, applicant.due_rule = None, ""
        applicant.save(update_fields=["status", "due_on", "due_rule"])
        _event(applicant, actor=actor, action="terminate", from_state=old, note=reason)
    return applicant


def document_upload(*, actor, applicant: Applicant, step: int, upload, name: str = "") -> ApplicantDocument:
    """Attach a PDF/JPEG/PNG (content-sniffed, size-limited) to a completed step or to the next one."""
    _require_writer(actor)
    limit = int_rule("party.recruit.document_max_mb")
    if upload.size == 0:
        raise ValidationError("文件为空")
    if upload.size > limit * 1024 * 1024:
        raise ValidationError(f"文件不能超过 {limit} MB")
    upload.seek(0)
    kind = document_type(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise ValidationError("只接受 PDF、JPEG 或 PNG 格式的材料")
    name = ((name or "").strip() or getattr(upload, "name", "") or "材料")[:100]
    with transaction.atomic():
        applicant = _locked(applicant)
        if applicant.status != S.ACTIVE:
            raise Conflict(f"该档案{applicant.get_status_display()}，不能再上传材料")
        if not 1 <= step <= applicant.step + 1:
            raise ValidationError(f"材料只能归入已完成的步骤或下一步（{step_label(applicant.step + 1)}）")
        upload.name = f"doc.{kind[1]}"
        doc = ApplicantDocument.objects.create(
            applicant=applicant,
            step=step,
            name=name,
            file=upload,
            content_type=kind[0],
            size=upload.size,
            uploaded_by=_actor(actor),
        )
        _event(
            applicant,
            actor=actor,
            action="document",
            from_state=str(applicant.step),
            note=name,
            data={"document": doc.pk, "doc_step": step},
        )
    return doc


# ---------------------------------------------------------------------------------------------------------
# Services: 公示 and objections
# ---------------------------------------------------------------------------------------------------------


def publicity_open(*, actor, applicant: Applicant, starts_on: date, content: str) -> RecruitmentPublicity:
    """Start the 公示 before the next step; it runs `party.recruit.publicity_working_days` working days."""
    _require_writer(actor)
    content = (content or "").strip()
    if not content:
        raise ValidationError("请填写公示内容")
    with transaction.atomic():
        applicant = _locked(applicant)
        nxt = applicant.step + 1
        if applicant.status != S.ACTIVE or nxt not in publicity_steps():
            raise Conflict(f"{step_label(nxt)}前不需要公示")
        if applicant.publicities.filter(before_step=nxt).exists():
            raise Conflict(f"{step_label(nxt)}前的公示已发布")
        previous = _step_dates(applicant)[applicant.step]
        if starts_on < previous:
            raise ValidationError(
                f"公示开始日期不能早于{step_label(applicant.step)}（{previous:%Y年%m月%d日}）"
            )
        pub = RecruitmentPublicity.objects.create(
            applicant=applicant,
            before_step=nxt,
            starts_on=starts_on,
            ends_on=publicity_end(starts_on),
            content=content,
            created_by=_actor(actor),
        )
        _event(
            applicant,
            actor=actor,
            action="publicity",
            from_state=str(applicant.step),
            data={
                "publicity": pub.pk,
                "starts_on": starts_on.isoformat(),
                "ends_on": pub.ends_on.isoformat(),
            },
        )
        services._notify(
            services._accounts_of(services.active_members_under(applicant.branch)),
            title=f"公示：{applicant.person.name}（{STEP_NAMES[nxt]}前）",
            body=f"公示期 {starts_on:%Y-%m-%d} 至 {pub.ends_on:%Y-%m-%d}，如有异议请在公示期内提出",
            link=f"/party/recruitment/notices/{pub.pk}/",
            kind="party.recruitment",
        )
    return pub


def objection_submit(*, actor, publicity: RecruitmentPublicity, content: str) -> RecruitmentObjection:
    """A member of the branch or a resident raises an objection during the 公示 (callers pass a publicity
    from `access_publicity`, i.e. one the account may read)."""
    content = (content or "").strip()
    if len(content) < 5:
        raise ValidationError("请具体写明异议内容（至少5个字）")
    if len(content) > 1000:
        raise ValidationError("异议内容不能超过1000字")
    with transaction.atomic():
        publicity = (
            RecruitmentPublicity.objects.select_for_update()
            .select_related("applicant__person")
            .get(pk=publicity.pk)
        )
        today = timezone.localdate()
        if not publicity.starts_on <= today <= publicity.ends_on:
            raise Conflict(
                f"公示期为{publicity.starts_on:%Y年%m月%d日}至{publicity.ends_on:%Y年%m月%d日}，不在公示期内，不能提出异议"
            )
        limit = int_rule("party.recruit.objections_per_person")
        if publicity.objections.filter(submitter=_actor(actor)).count() >= limit:
            raise TooManyRequests(f"对同一公示最多提出{limit}条异议")
        objection = RecruitmentObjection.objects.create(
            publicity=publicity, submitter=_actor(actor), content=content
        )
        applicant = publicity.applicant
        # The event names no submitter: whoever reads the file should not learn who objected.
        _event(
            applicant,
            actor=None,
            action="objection",
            from_state=str(applicant.step),
            data={"objection": objection.pk},
        )
        _notify_branch(
            applicant, f"公示异议：{applicant.person.name}", "请核实处理，处理完毕前不能办理下一步"
        )
    return objection


def objection_resolve(
    *, actor, objection: RecruitmentObjection, decision: str, resolution: str
) -> RecruitmentObjection:
    """The branch records what it found: 不影响发展 (the next step may go on) or 属实 (it may not)."""
    _require_writer(actor)
    resolution = (resolution or "").strip()
    if decision not in (OStatus.DISMISSED, OStatus.UPHELD):
        raise ValidationError("请选择核实结论")
    if not resolution:
        raise ValidationError("请填写核实情况")
    with transaction.atomic():
        objection = (
            RecruitmentObjection.objects.select_for_update()
            .select_related("publicity__applicant")
            .get(pk=objection.pk)
        )
        if objection.status != OStatus.OPEN:
            raise Conflict(f"该异议已处理（{objection.get_status_display()}）")
        objection.status, objection.resolution = decision, resolution
        objection.resolved_by, objection.resolved_at = _actor(actor), timezone.now()
        objection.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        applicant = objection.publicity.applicant
        _event(
            applicant,
            actor=actor,
            action="objection_resolve",
            from_state=OStatus.OPEN,
            note=resolution,
            data={"objection": objection.pk, "decision": decision},
        )
        if objection.submitter_id:
            services._notify(
                [objection.submitter_id],
                title="您提出的公示异议已核实处理",
                body=f"{objection.get_status_display()}：{resolution}",
                link=f"/party/recruitment/notices/{objection.publicity_id}/",
                kind="party.recruitment",
            )
    return objection


# ---------------------------------------------------------------------------------------------------------
# Reminder sweep
# ---------------------------------------------------------------------------------------------------------


def recruitment_sweep(*, today: date | None = None, batch: int = 500) -> dict:
    """Remind branch secretaries before each deadline and once more when it has passed.

    1. Active files whose deadline is within `party.recruit.reminder_days` and not yet reminded.
    2. Active files past their deadline and not yet reported overdue.
    Each row is claimed with a compare-and-swap update (`… WHERE marker IS NULL`) before the notice is
    written, so repeated or concurrent sweeps send every reminder exactly once.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    soon = today + timedelta(days=int_rule("party.recruit.reminder_days"))
    counts = {"reminded": 0, "overdue": 0}
    passes = (
        ("reminded", "reminded_at", Q(due_on__gte=today, due_on__lte=soon), "发展党员期限提醒"),
        ("overdue", "overdue_notified_at", Q(due_on__lt=today), "发展党员已超期"),
    )
    for key, marker, window, title in passes:
        pending = Applicant.objects.filter(window, status=S.ACTIVE, **{f"{marker}__isnull": True})
        for pk, due in list(pending.values_list("pk", "due_on")[:batch]):
            with transaction.atomic():
                claimed = Applicant.objects.filter(
                    pk=pk, due_on=due, status=S.ACTIVE, **{f"{marker}__isnull": True}
                )
                if not claimed.update(**{marker: now}):
                    continue  # another sweep claimed it, or the deadline moved meanwhile
                applicant = Applicant.objects.select_related("person", "branch").get(pk=pk)
                nxt = step_label(applicant.step + 1)
                body = f"{applicant.person.name}：{nxt}应于{due:%Y年%m月%d日}前完成（{applicant.due_rule}）"
                _notify_branch(applicant, f"{title}：{applicant.person.name}", body)
                ApplicantEvent.objects.create(
                    applicant=applicant,
                    action=key,
                    from_state=str(applicant.step),
                    to_state=str(applicant.step),
                    note=body,
                    data={"due_on": due.isoformat()},
                )
                counts[key] += 1
    return counts


@every(3600)
@task()
def recruitment_sweep_task() -> dict:
    """Hourly: deadline reminders and overdue notices of recruitment files (see recruitment_sweep)."""
    return recruitment_sweep()
