"""发展党员 (recruitment) rules applied to an applicant file: the step names, the rules-table rows the
workflow adds to `party.limits`, 公示 working days, the deadline of each step, and one check per step.

The regulations themselves (dates, vote arithmetic) are the pure functions of `party.rules`; this module
feeds them the file's dates and the rules-table values and turns a broken limit into a Chinese
`ValidationError` citing the document and article (rules.md §3). Writes live in `party.recruitment`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError

from redgrid.core import calendar
from redgrid.core.rules import define, rule_value
from redgrid.party import rules as R
from redgrid.party import services
from redgrid.party.models import Applicant, ApplicantSponsor, PartyMember, PartyOrg

RECRUIT = R.RECRUITMENT_RULE
STEP_NAMES: dict[int, str] = {number: name for number, _, _, name in R.RECRUITMENT_STEPS}
STAGE_OF: dict[int, tuple[int, str]] = {
    number: (stage, sname) for number, stage, sname, _ in R.RECRUITMENT_STEPS
}
LAST_STEP = len(R.RECRUITMENT_STEPS)

# --- rules-table rows of the recruitment workflow that party.limits does not already hold ----------------
define(
    "party.recruit.publicity_steps",
    [7, 14, 23],
    "须先公示、公示期满且异议处理完毕方可办理的步骤（7 确定发展对象、14 填写入党志愿书、23 支部大会讨论转正）",
    "rules.md §3：确定发展对象前、接收预备党员前公示（各地做法），转正前公示（各地做法）",
    "M",
)
define(
    "party.recruit.confirmation_months",
    1,
    "预备期满后党支部讨论转正的期限（月）",
    R.PARTY_CONSTITUTION + "第七条（预备期满及时讨论；具体期限为各地做法）",
    "L",
)
define(
    "party.recruit.reminder_days", 7, "发展党员期限到期前提醒支部书记的天数", "本平台设置（各地做法）", "L"
)
define("party.recruit.document_max_mb", 10, "发展党员材料单个文件大小上限（MB）", "本平台设置", "L")
define("party.recruit.objections_per_person", 3, "同一人对同一公示可提出的异议条数上限", "本平台设置", "L")


def step_label(number: int) -> str:
    return f"第{number}步“{STEP_NAMES[number]}”" if number in STEP_NAMES else f"第{number}步"


def int_rule(key: str) -> int:
    return int(rule_value(key))


def publicity_steps() -> frozenset[int]:
    return frozenset(int(s) for s in rule_value("party.recruit.publicity_steps"))


# ---------------------------------------------------------------------------------------------------------
# Pure helpers: working days and deadlines
# ---------------------------------------------------------------------------------------------------------


def publicity_end(starts_on: date, working_days: int | None = None) -> date:
    """Last day of a 公示 of `working_days` working days starting on `starts_on` (counted inclusively).

    Working days come from the platform's working-day calendar (core.calendar: Monday–Friday, minus the
    holidays and plus the adjusted working weekends an administrator enters); rules.md §3: ≥ 5 个工作日 is
    the common local rule.
    """
    n = int_rule("party.recruit.publicity_working_days") if working_days is None else working_days
    if n < 1:
        raise ValidationError("公示期至少为 1 个工作日")
    d, counted = starts_on, 0
    while True:
        if calendar.is_workday(d):
            counted += 1
            if counted == n:
                return d
        d += timedelta(days=1)


@dataclass
class Deadline:
    due: date
    rule: str


def _approval_deadline(submitted: date, *, extended: bool = False) -> date:
    return R.approval_deadline(
        submitted,
        extended=extended,
        months=int_rule("party.recruit.approval_months"),
        extended_months=int_rule("party.recruit.approval_extended_months"),
    )


def probation_end_of(applicant: Applicant) -> date | None:
    return services.member_probation_end(applicant.member) if applicant.member_id else None


def next_deadline(applicant: Applicant, dates: dict[int, date]) -> Deadline | None:
    """The deadline of the next step, when the rules give one (upper limits only; minimums are checked
    when the step is recorded)."""
    nxt = applicant.step + 1
    if applicant.status != Applicant.Status.ACTIVE or nxt > LAST_STEP:
        return None
    if nxt == 2:
        due = R.talk_deadline(dates[1], months=int_rule("party.recruit.talk_months"))
        return Deadline(due, "收到入党申请书后一个月内派人谈话" + R.cite(RECRUIT, "第七条"))
    if nxt in (16, 17):
        return Deadline(
            _approval_deadline(dates[15]),
            "上级党委应在支部大会通过后三个月内审批" + R.cite(RECRUIT, "第二十五条"),
        )
    end = probation_end_of(applicant)
    if nxt in (21, 22) and end:
        return Deadline(end, "预备期满" + R.cite(R.PARTY_CONSTITUTION, "第七条"))
    if nxt == 23 and end:
        due = R.add_months(end, int_rule("party.recruit.confirmation_months"))
        return Deadline(
            due, "预备期满后党支部应及时讨论能否转为正式党员" + R.cite(R.PARTY_CONSTITUTION, "第七条")
        )
    if nxt == 24:
        return Deadline(
            _approval_deadline(dates[23]),
            "上级党委应在三个月内审批转正" + R.cite(RECRUIT, "第二十五条、第六章"),
        )
    return None


# ---------------------------------------------------------------------------------------------------------
# Step checks: each raises ValidationError citing the rule, and fills `cleaned`
# ---------------------------------------------------------------------------------------------------------


@dataclass
class StepInput:
    applicant: Applicant
    number: int
    on: date
    dates: dict[int, date]
    people: list[int] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    late_reason: str = ""
    cleaned: dict = field(default_factory=dict)


def _late(step: StepInput, deadline: date, message: str) -> None:
    """An upper limit the organisation missed: refused unless a 超期情况说明 is given (which is kept)."""
    if step.on <= deadline:
        return
    if not step.late_reason:
        raise ValidationError(
            f"{message}；已超过期限（{deadline:%Y年%m月%d日}），如确已超期请填写超期情况说明"
        )
    step.cleaned["late_reason"] = step.late_reason


def _number(step: StepInput, key: str, label: str) -> int:
    try:
        value = int(step.data.get(key))
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"请填写{label}（整数）") from exc
    if value < 0:
        raise ValidationError(f"{label}不能为负数")
    step.cleaned[key] = value
    return value


def _sponsors(step: StepInput, role: str, *, low: int, high: int, cite: str) -> None:
    ids = list(dict.fromkeys(int(p) for p in step.people))
    label = ApplicantSponsor.Role(role).label
    if not low <= len(ids) <= high:
        wanted = f"{low}名" if low == high else f"{low}至{high}名"
        raise ValidationError(f"{label}应为{wanted}正式党员，当前选择了{len(ids)}名{cite}")
    members = list(PartyMember.objects.filter(pk__in=ids).select_related("person"))
    if len(members) != len(ids):
        raise ValidationError(f"所选{label}不在党员名册中")
    for m in members:
        if m.person_id == step.applicant.person_id:
            raise ValidationError(f"申请人本人不能担任{label}")
        if m.status != PartyMember.Status.FULL:
            raise ValidationError(f"{m.person.name}是{m.get_status_display()}，{label}必须是正式党员{cite}")
    step.cleaned["people"] = ids
    step.cleaned["sponsor_role"] = role


def _check_talk(step: StepInput) -> None:
    due = R.talk_deadline(step.dates[1], months=int_rule("party.recruit.talk_months"))
    _late(step, due, "党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话" + R.cite(RECRUIT, "第七条"))


def _check_contacts(step: StepInput) -> None:
    _sponsors(step, ApplicantSponsor.Role.CONTACT, low=1, high=2, cite=R.cite(RECRUIT, "第十一条"))


def _check_development(step: StepInput) -> None:
    earliest = R.earliest_development_date(
        step.dates[3], months=int_rule("party.recruit.activist_min_months")
    )
    if step.on < earliest:
        raise ValidationError(
            f"入党积极分子经过一年以上培养教育和考察方可确定为发展对象：{step.dates[3]:%Y年%m月%d日}确定为入党积极分子，"
            f"最早{earliest:%Y年%m月%d日}可以确定为发展对象" + R.cite(RECRUIT, "第十三条")
        )


def _check_introducers(step: StepInput) -> None:
    _sponsors(
        step, ApplicantSponsor.Role.INTRODUCER, low=2, high=2, cite=R.cite(R.PARTY_CONSTITUTION, "第五条")
    )


def _check_review(step: StepInput) -> None:
    conclusion = step.data.get("conclusion")
    if conclusion not in ("qualified", "unqualified"):
        raise ValidationError("请选择政治审查结论（合格/不合格）")
    if conclusion == "unqualified":
        raise ValidationError(
            "政治审查不合格的，不能继续发展；请终止该申请人的发展档案" + R.cite(RECRUIT, "第四章")
        )
    if not step.applicant.documents.filter(step=10).exists():
        raise ValidationError("政治审查须形成书面结论：请先上传政审结论材料" + R.cite(RECRUIT, "第四章"))
    step.cleaned["conclusion"] = conclusion


def _check_training(step: StepInput) -> None:
    days, hours = _number(step, "days", "培训天数"), _number(step, "hours", "培训学时")
    min_days, min_hours = (
        int_rule("party.recruit.training_min_days"),
        int_rule("party.recruit.training_min_hours"),
    )
    if days < min_days and hours < min_hours:
        raise ValidationError(
            f"发展对象集中培训时间一般不少于{min_days}天或{min_hours}个学时，本次为{days}天、{hours}学时"
            + R.cite(RECRUIT, "第十七条")
        )


def _vote(step: StepInput, what: str, cite: str) -> None:
    present, entitled = (
        _number(step, "present", "到会有表决权人数"),
        _number(step, "entitled", "应到会有表决权人数"),
    )
    yes = _number(step, "yes_votes", "赞成票数")
    try:
        passed = R.acceptance_vote_passes(present, entitled, yes)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    if not passed:
        raise ValidationError(
            f"支部大会表决未通过{what}：到会{present}人、应到{entitled}人、赞成{yes}票；到会人数须超过应到会有表决权"
            f"人数的半数，赞成人数须超过应到会有表决权的正式党员的半数" + cite
        )


def _check_acceptance(step: StepInput) -> None:
    valid_months = int_rule("party.recruit.review_valid_months")
    valid_until = R.add_months(step.dates[10], valid_months)
    if step.on > valid_until:
        raise ValidationError(
            f"政治审查结论（{step.dates[10]:%Y年%m月%d日}）已超过{valid_months}个月有效期，接收预备党员前须重新政治审查"
            + R.cite(RECRUIT + "第四章；有效期为各地做法，见 rules.md §3")
        )
    _vote(step, "接收预备党员", R.cite(RECRUIT, "第二十条、第二十一条"))


def _check_approval(step: StepInput, submitted: date) -> None:
    outer = _approval_deadline(submitted, extended=True)
    cite = R.cite(RECRUIT, "第二十五条")
    if step.on > outer:
        raise ValidationError(
            f"上级党委审批期限自{submitted:%Y年%m月%d日}起算，遇有特殊情况可以适当延长，但不得超过六个月"
            f"（{outer:%Y年%m月%d日}）" + cite
        )
    _late(step, _approval_deadline(submitted), "上级党委应当在三个月内审批，延长审批须说明特殊情况" + cite)


def _check_group(step: StepInput) -> None:
    group_id = step.data.get("group_id")
    if group_id in (None, ""):
        return
    group = step.applicant.branch.get_children().filter(pk=group_id, kind__in=PartyOrg.GROUP_KINDS).first()
    if group is None:
        raise ValidationError("所选党小组不属于本支部")
    step.cleaned["group_id"] = group.pk


def _check_confirmation(step: StepInput) -> None:
    end = probation_end_of(step.applicant)
    if end is None:
        raise ValidationError("未找到该预备党员的党员档案，无法计算预备期")
    if step.on < end:
        raise ValidationError(
            f"预备期至{end:%Y年%m月%d日}届满，预备期满后方可讨论能否转为正式党员"
            + R.cite(R.PARTY_CONSTITUTION, "第七条")
        )
    due = R.add_months(end, int_rule("party.recruit.confirmation_months"))
    _late(
        step,
        due,
        "预备党员预备期满，党支部应当及时讨论其能否转为正式党员" + R.cite(R.PARTY_CONSTITUTION, "第七条"),
    )
    _vote(step, "转为正式党员", R.cite(RECRUIT, "第六章"))


#: Step number → the check that validates it (raises ValidationError) and fills `cleaned`.
STEP_CHECKS: dict[int, Callable[[StepInput], None]] = {
    2: _check_talk,
    5: _check_contacts,
    7: _check_development,
    9: _check_introducers,
    10: _check_review,
    11: _check_training,
    15: _check_acceptance,
    16: lambda s: _check_approval(s, s.dates[15]),
    17: lambda s: _check_approval(s, s.dates[15]),
    19: _check_group,
    23: _check_confirmation,
    24: lambda s: _check_approval(s, s.dates[23]),
}

#: The fields each step's form asks for (pages and API documentation).
STEP_FIELDS: dict[int, tuple[str, ...]] = {
    5: ("people",),
    9: ("people",),
    10: ("conclusion",),
    11: ("days", "hours"),
    15: ("present", "entitled", "yes_votes"),
    19: ("group_id",),
    23: ("present", "entitled", "yes_votes"),
}
#: Steps whose upper deadline may be passed with a written explanation (超期情况说明).
LATE_STEPS = frozenset({2, 16, 17, 23, 24})


_DOCUMENT_TYPES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def document_type(head: bytes) -> tuple[str, str] | None:
    """(mime, extension) of a PDF, JPEG or PNG from its first bytes — never from its name."""
    for magic, mime, ext in _DOCUMENT_TYPES:
        if head.startswith(magic):
            return mime, ext
    return None
