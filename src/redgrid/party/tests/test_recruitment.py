"""发展党员: the 25 steps in order, each time limit of rules.md §3 at its boundary, 公示 and objections,
reminders, scope, uploads, and the final step making a full member."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from redgrid.core import rules as core_rules
from redgrid.core.api import Conflict, TooManyRequests
from redgrid.core.models import CalendarDay, Notification, Rule
from redgrid.party import recruitment as svc
from redgrid.party import recruitment_rules as rr
from redgrid.party import recruitment_selectors as sel
from redgrid.party.models import Applicant, ApplicantEvent, MemberEvent, PartyMember, RecruitmentObjection

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

#: A complete, valid timeline (step → date, and the figures the step needs). 公示 are opened
#: automatically on the first working day after the previous step (see `walk`).
PLAN = {
    1: date(2024, 1, 8),
    2: date(2024, 1, 20),
    3: date(2024, 2, 1),
    4: date(2024, 2, 10),
    5: date(2024, 2, 15),
    6: date(2025, 1, 20),
    7: date(2025, 2, 3),
    8: date(2025, 2, 10),
    9: date(2025, 2, 15),
    10: date(2025, 3, 1),
    11: date(2025, 3, 10),
    12: date(2025, 3, 20),
    13: date(2025, 3, 25),
    14: date(2025, 4, 2),
    15: date(2025, 4, 10),
    16: date(2025, 4, 20),
    17: date(2025, 5, 10),
    18: date(2025, 5, 20),
    19: date(2025, 5, 25),
    20: date(2025, 6, 1),
    21: date(2026, 3, 1),
    22: date(2026, 4, 1),
    23: date(2026, 4, 10),
    24: date(2026, 5, 1),
    25: date(2026, 5, 10),
}
VOTE = {"present": 2, "entitled": 2, "yes_votes": 2}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today():
    with time_machine.travel(date(2026, 7, 1), tick=False):
        yield date(2026, 7, 1)


@pytest.fixture
def branch_user(world):
    return world.user("branch")


def step_kwargs(world, number: int) -> dict:
    if number in (5, 9):
        return {"people": [world.members["A1-0"].pk, world.members["A1-1"].pk]}
    return {
        10: {"data": {"conclusion": "qualified"}},
        11: {"data": {"days": 3, "hours": 24}},
        15: {"data": VOTE},
        23: {"data": VOTE},
    }.get(number, {})


def upload(actor, a, step, content=PDF, name="材料.pdf"):
    return svc.document_upload(actor=actor, applicant=a, step=step, upload=SimpleUploadedFile(name, content))


def new_applicant(world, on=PLAN[1], key="A1-01") -> Applicant:
    return svc.applicant_create(
        actor=world.user("branch"), person=world.residents[key], branch=world.orgs["A1"], applied_on=on
    )


def publish(world, a, starts_on):
    return svc.publicity_open(
        actor=world.user("branch"), applicant=a, starts_on=starts_on, content="拟发展，特此公示"
    )


def walk(world, a: Applicant, until: int, plan=PLAN) -> Applicant:
    """Advance `a` through the plan up to step `until`, opening each 公示 right after the previous step."""
    actor = world.user("branch")
    for n in range(a.step + 1, until + 1):
        if n in rr.publicity_steps():
            publish(world, a, plan[n - 1])
        if n == 10:
            upload(actor, a, 10, name="政审结论.pdf")
        a = svc.applicant_advance(actor=actor, applicant=a, step=n, on=plan[n], **step_kwargs(world, n))
    return a


# --- data and order ---------------------------------------------------------------------------------------


def test_the_step_checks_are_data_keyed_by_real_step_numbers():
    assert (
        len(rr.STEP_NAMES) == 25 and rr.STEP_NAMES[2] == "党组织派人谈话" and rr.STEP_NAMES[25] == "材料归档"
    )
    assert set(rr.STEP_CHECKS) <= set(range(2, 26))
    assert {2, 7, 9, 10, 11, 15, 17, 23, 24} <= set(rr.STEP_CHECKS)
    assert rr.publicity_steps() == {7, 14, 23}


def test_steps_out_of_order_are_refused_naming_the_current_step(world, today):
    a = new_applicant(world)
    with pytest.raises(Conflict, match="当前已完成第1步“递交入党申请书”，下一步应为第2步“党组织派人谈话”"):
        svc.applicant_advance(actor=world.user("branch"), applicant=a, step=3, on=PLAN[3])
    a = walk(world, a, 2)
    with pytest.raises(Conflict, match="第2步"):
        svc.applicant_advance(actor=world.user("branch"), applicant=a, step=2, on=PLAN[2])
    assert list(a.steps.values_list("number", flat=True)) == [1, 2]


def test_a_step_cannot_be_dated_before_the_previous_one_or_in_the_future(world, today):
    a = new_applicant(world)
    with pytest.raises(ValidationError, match="不能早于上一步"):
        svc.applicant_advance(actor=world.user("branch"), applicant=a, step=2, on=date(2024, 1, 7))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        svc.applicant_advance(actor=world.user("branch"), applicant=a, step=2, on=date(2026, 7, 2))


# --- time limits at their boundaries ----------------------------------------------------------------------


def test_an_applicant_must_be_18_on_the_day_of_the_application(world, today):
    person = world.residents["A1-01"]
    person.birth_date = date(2006, 3, 15)
    person.save()
    with pytest.raises(ValidationError, match="年满18周岁.*第五条"):
        new_applicant(world, on=date(2006 + 18, 3, 14))
    a = new_applicant(world, on=date(2024, 3, 15))
    assert a.step == 1 and a.steps.get().done_on == date(2024, 3, 15)


def test_the_talk_is_due_within_one_month_and_a_late_talk_needs_an_explanation(world, today):
    a = new_applicant(world, on=date(2024, 1, 31))
    assert a.due_on == date(2024, 2, 29)  # 民法典第二百零二条: no 31 February, so the month's last day
    with pytest.raises(ValidationError, match="一个月内派人.*第七条.*超期情况说明"):
        svc.applicant_advance(actor=world.user("branch"), applicant=a, step=2, on=date(2024, 3, 1))
    svc.applicant_advance(actor=world.user("branch"), applicant=a, step=2, on=date(2024, 2, 29))

    late = new_applicant(world, on=date(2024, 1, 31), key="A1-21")
    late = svc.applicant_advance(
        actor=world.user("branch"), applicant=late, step=2, on=date(2024, 3, 1), late_reason="书记外出学习"
    )
    assert late.steps.get(number=2).data["late_reason"] == "书记外出学习"


def test_an_activist_becomes_a_development_target_only_after_a_full_year(world, today):
    plan = {**PLAN, 3: date(2024, 2, 29), 4: date(2024, 3, 1), 5: date(2024, 3, 2), 6: date(2025, 2, 14)}
    a = walk(world, new_applicant(world), 6, plan)
    publish(world, a, date(2025, 2, 17))  # Mon–Fri
    with pytest.raises(ValidationError, match="一年以上培养.*2025年02月28日.*第十三条"):
        svc.applicant_advance(actor=world.user("branch"), applicant=a, step=7, on=date(2025, 2, 27))
    a = svc.applicant_advance(actor=world.user("branch"), applicant=a, step=7, on=date(2025, 2, 28))
    assert a.step == 7


def test_contacts_and_introducers_must_be_full_members(world, today):
    a = walk(world, new_applicant(world), 4)
    probationary = world.members["A1-2"]
    with pytest.raises(ValidationError, match="预备党员，培养联系人必须是正式党员.*第十一条"):
        svc.applicant_advance(
            actor=world.user("branch"), applicant=a, step=5, on=PLAN[5], people=[probationary.pk]
        )
    a = svc.applicant_advance(
        actor=world.user("branch"), applicant=a, step=5, on=PLAN[5], people=[world.members["A1-0"].pk]
    )
    a = walk(world, a, 8)
    with pytest.raises(ValidationError, match="入党介绍人应为2名正式党员.*章程》第五条"):
        svc.applicant_advance(
            actor=world.user("branch"), applicant=a, step=9, on=PLAN[9], people=[world.members["A1-0"].pk]
        )
    walk(world, a, 9)
    assert a.sponsors.filter(role="introducer").count() == 2


def test_the_political_review_needs_a_written_conclusion(world, today):
    a = walk(world, new_applicant(world), 9)
    with pytest.raises(ValidationError, match="书面结论"):
        svc.applicant_advance(
            actor=world.user("branch"), applicant=a, step=10, on=PLAN[10], data={"conclusion": "qualified"}
        )
    upload(world.user("branch"), a, 10)
    with pytest.raises(ValidationError, match="政治审查不合格"):
        svc.applicant_advance(
            actor=world.user("branch"), applicant=a, step=10, on=PLAN[10], data={"conclusion": "unqualified"}
        )
    a = svc.applicant_advance(
        actor=world.user("branch"), applicant=a, step=10, on=PLAN[10], data={"conclusion": "qualified"}
    )
    assert a.step == 10


def test_training_lasts_at_least_3_days_or_24_hours(world, today):
    a = walk(world, new_applicant(world), 10)
    with pytest.raises(ValidationError, match="不少于3天或24个学时.*第十七条"):
        svc.applicant_advance(
            actor=world.user("branch"), applicant=a, step=11, on=PLAN[11], data={"days": 2, "hours": 23}
        )
    svc.applicant_advance(
        actor=world.user("branch"), applicant=a, step=11, on=PLAN[11], data={"days": 1, "hours": 24}
    )


def test_admission_needs_a_review_still_valid_and_a_passing_vote(world, today):
    plan = {**PLAN, 13: date(2026, 2, 2), 14: date(2026, 2, 16)}
    a = walk(world, new_applicant(world), 14, plan)
    branch = world.user("branch")
    with pytest.raises(ValidationError, match="政治审查结论（2025年03月01日）已超过12个月有效期"):
        svc.applicant_advance(actor=branch, applicant=a, step=15, on=date(2026, 3, 2), data=VOTE)
    with pytest.raises(ValidationError, match="表决未通过.*第二十条、第二十一条"):
        svc.applicant_advance(
            actor=branch,
            applicant=a,
            step=15,
            on=date(2026, 3, 1),
            data={"present": 2, "entitled": 3, "yes_votes": 1},
        )
    a = svc.applicant_advance(actor=branch, applicant=a, step=15, on=date(2026, 3, 1), data=VOTE)
    assert a.due_on == date(2026, 6, 1)  # 上级党委审批 within three months


def test_the_higher_committee_approves_within_three_months_and_never_after_six(world, today):
    a = walk(world, new_applicant(world), 16)
    branch = world.user("branch")
    assert a.due_on == date(2025, 7, 10)
    with pytest.raises(ValidationError, match="不得超过六个月（2025年10月10日）.*第二十五条"):
        svc.applicant_advance(
            actor=branch, applicant=a, step=17, on=date(2025, 10, 11), late_reason="特殊情况"
        )
    with pytest.raises(ValidationError, match="三个月内审批.*超期情况说明"):
        svc.applicant_advance(actor=branch, applicant=a, step=17, on=date(2025, 7, 11))
    a = svc.applicant_advance(actor=branch, applicant=a, step=17, on=date(2025, 7, 10))
    member = PartyMember.objects.get(person=a.person)
    assert (member.status, member.joined_on, member.org_id) == ("probationary", PLAN[15], world.orgs["A1"].pk)
    assert a.member_id == member.pk and MemberEvent.objects.filter(member=member, action="admit").exists()


def test_an_approval_between_three_and_six_months_is_accepted_with_the_special_reason(world, today):
    a = walk(world, new_applicant(world), 16)
    a = svc.applicant_advance(
        actor=world.user("branch"),
        applicant=a,
        step=17,
        on=date(2025, 10, 10),
        late_reason="党委换届，延期审批",
    )
    assert a.steps.get(number=17).data["late_reason"] == "党委换届，延期审批"


def test_the_confirmation_is_discussed_only_when_the_probation_year_has_ended(world, today):
    a = walk(world, new_applicant(world), 22)
    publish(world, a, PLAN[22])
    assert a.due_on == date(2026, 5, 10)  # discussed within a month of 预备期满 (rules table)
    with pytest.raises(ValidationError, match="预备期至2026年04月10日届满.*章程》第七条"):
        svc.applicant_advance(
            actor=world.user("branch"), applicant=a, step=23, on=date(2026, 4, 9), data=VOTE
        )
    a = svc.applicant_advance(
        actor=world.user("branch"), applicant=a, step=23, on=date(2026, 4, 10), data=VOTE
    )
    assert a.due_on == date(2026, 7, 10)


def test_the_confirmation_discussed_more_than_a_month_late_needs_an_explanation(world, today):
    a = walk(world, new_applicant(world), 22)
    publish(world, a, PLAN[22])
    branch = world.user("branch")
    with pytest.raises(ValidationError, match="及时讨论.*2026年05月10日.*超期情况说明"):
        svc.applicant_advance(actor=branch, applicant=a, step=23, on=date(2026, 5, 11), data=VOTE)
    a = svc.applicant_advance(actor=branch, applicant=a, step=23, on=date(2026, 5, 10), data=VOTE)
    assert "late_reason" not in a.steps.get(number=23).data


def test_the_probation_is_extended_once_by_6_to_12_months(world, today):
    a = walk(world, new_applicant(world), 22)
    branch = world.user("branch")
    with pytest.raises(ValidationError, match="届满时方可讨论延长"):
        svc.applicant_extend_probation(
            actor=branch, applicant=a, months=6, reason="考察", on=date(2026, 4, 9)
        )
    with pytest.raises(ValidationError, match="6至12个月"):
        svc.applicant_extend_probation(
            actor=branch, applicant=a, months=13, reason="考察", on=date(2026, 4, 10)
        )
    a = svc.applicant_extend_probation(
        actor=branch, applicant=a, months=6, reason="需继续考察", on=date(2026, 4, 10)
    )
    assert a.due_on == date(2026, 11, 10) and a.step == 22  # new end 2026-10-10, plus the month to discuss
    with pytest.raises(Conflict, match="只能延长一次"):
        svc.applicant_extend_probation(
            actor=branch, applicant=a, months=6, reason="再延", on=date(2026, 4, 10)
        )
    publish(world, a, PLAN[22])
    with pytest.raises(ValidationError, match="预备期至2026年10月10日届满"):
        svc.applicant_advance(actor=branch, applicant=a, step=23, on=date(2026, 6, 1), data=VOTE)


def test_the_final_step_makes_the_applicant_a_full_member(world, today):
    a = walk(world, new_applicant(world), 23)
    assert PartyMember.objects.get(person=a.person).status == "probationary"
    a = walk(world, a, 25)
    member = PartyMember.objects.get(person=a.person)
    assert (member.status, member.full_member_on) == ("full", date(2026, 4, 10))  # 党龄 from 预备期满
    assert a.status == "completed" and a.due_on is None
    assert MemberEvent.objects.filter(member=member, action="make_full").count() == 1
    with pytest.raises(Conflict, match="已转正归档"):
        svc.applicant_advance(actor=world.user("branch"), applicant=a, step=25, on=PLAN[25])


def test_terminating_a_probationary_members_file_cancels_the_probation(world, today):
    a = walk(world, new_applicant(world), 18)
    a = svc.applicant_terminate(actor=world.user("branch"), applicant=a, reason="本人申请撤回")
    assert a.status == "terminated"
    assert PartyMember.objects.get(person=a.person).status == "removed"
    # a new application is possible once the old file is closed
    assert new_applicant(world, on=date(2026, 6, 1)).status == "active"


def test_a_person_cannot_apply_twice_or_while_already_a_member(world, today):
    new_applicant(world)
    with pytest.raises(Conflict, match="已有正在办理"):
        new_applicant(world)
    with pytest.raises(Conflict, match="已是正式党员"):
        new_applicant(world, key="A1-00")


# --- 公示 and objections ------------------------------------------------------------------------------------


def test_a_publicity_lasts_five_working_days_skipping_the_calendars_holidays(world):
    assert rr.publicity_end(date(2025, 1, 31)) == date(2025, 2, 6)  # Fri → Thu (weekend skipped)
    CalendarDay.objects.create(date=date(2025, 2, 3), is_workday=False, name="春节")
    CalendarDay.objects.create(date=date(2025, 2, 8), is_workday=True, name="春节调休")
    assert rr.publicity_end(date(2025, 1, 31)) == date(2025, 2, 7)  # Mon is a holiday
    assert rr.publicity_end(date(2025, 2, 6)) == date(2025, 2, 11)  # Sat 8th counts: Thu Fri Sat Mon Tue


def test_the_step_after_a_publicity_waits_for_its_end_and_for_objections(
    world, today, django_capture_on_commit_callbacks
):
    a = walk(world, new_applicant(world), 6)
    branch = world.user("branch")
    with pytest.raises(Conflict, match="须先公示"):
        svc.applicant_advance(actor=branch, applicant=a, step=7, on=PLAN[7])
    pub = publish(world, a, date(2025, 1, 27))
    assert pub.ends_on == date(2025, 1, 31)
    with time_machine.travel(date(2025, 1, 31), tick=False):
        objection = svc.objection_submit(
            actor=world.user("resident"),
            publicity=sel.access_publicity(world.user("resident"), pub.pk),
            content="该同志在小区停车问题上与邻居有纠纷",
        )
        with pytest.raises(Conflict, match="公示期至2025年01月31日结束"):
            svc.applicant_advance(actor=branch, applicant=a, step=7, on=date(2025, 1, 31))
    with time_machine.travel(date(2025, 2, 3), tick=False):
        with pytest.raises(Conflict, match="1条异议尚未核实处理"):
            svc.applicant_advance(actor=branch, applicant=a, step=7, on=date(2025, 2, 3))
        with pytest.raises(Conflict, match="不在公示期内"):
            svc.objection_submit(actor=world.user("resident"), publicity=pub, content="再补充一条意见")
        with django_capture_on_commit_callbacks(execute=True):
            svc.objection_resolve(
                actor=branch, objection=objection, decision="dismissed", resolution="经核实系误会"
            )
        a = svc.applicant_advance(actor=branch, applicant=a, step=7, on=date(2025, 2, 3))
    assert a.step == 7
    resident_inbox = Notification.objects.filter(recipient=world.user("resident"), kind="party.recruitment")
    assert resident_inbox.filter(title__contains="已核实处理").exists()
    # the file's history records the objection without naming who raised it
    assert ApplicantEvent.objects.get(applicant=a, action="objection").actor_id is None


def test_an_upheld_objection_stops_the_applicant(world, today):
    a = walk(world, new_applicant(world), 6)
    pub = publish(world, a, date(2025, 1, 27))
    with time_machine.travel(date(2025, 1, 28), tick=False):
        objection = svc.objection_submit(
            actor=world.user("member"), publicity=pub, content="曾有违法记录未如实说明"
        )
    svc.objection_resolve(
        actor=world.user("branch"), objection=objection, decision="upheld", resolution="经核实属实"
    )
    with pytest.raises(Conflict, match="核实属实，不能继续发展"):
        svc.applicant_advance(actor=world.user("branch"), applicant=a, step=7, on=PLAN[7])


def test_only_members_and_residents_of_the_branch_see_and_object_to_its_publicity(world, today, client):
    a = walk(world, new_applicant(world), 6)
    pub = publish(world, a, date(2026, 6, 29))
    assert sel.publicities_for(world.user("resident")).filter(pk=pub.pk).exists()
    assert sel.publicities_for(world.user("member")).filter(pk=pub.pk).exists()
    assert not sel.publicities_for(world.user("outsider_resident")).exists()
    assert not sel.publicities_for(world.user("outsider_branch")).exists()
    client.force_login(world.user("outsider_resident"))
    assert client.get(f"/party/recruitment/notices/{pub.pk}/").status_code == 404
    assert (
        client.post(f"/party/recruitment/notices/{pub.pk}/", {"content": "我有异议要反映"}).status_code == 404
    )
    assert not RecruitmentObjection.objects.exists()
    client.force_login(world.user("resident"))
    page = client.get(f"/party/recruitment/notices/{pub.pk}/")
    assert page.status_code == 200 and "提出异议" in page.content.decode()
    client.post(f"/party/recruitment/notices/{pub.pk}/", {"content": "我有异议要反映"})
    assert RecruitmentObjection.objects.get().submitter == world.user("resident")


def test_objections_per_person_are_limited(world, today):
    a = walk(world, new_applicant(world), 6)
    pub = publish(world, a, date(2026, 6, 29))
    for i in range(3):
        svc.objection_submit(actor=world.user("resident"), publicity=pub, content=f"第{i}条具体意见")
    with pytest.raises(TooManyRequests):
        svc.objection_submit(actor=world.user("resident"), publicity=pub, content="第四条具体意见")


# --- reminders ----------------------------------------------------------------------------------------------


def test_reminders_are_sent_once_before_the_deadline_and_once_when_it_has_passed(
    world, django_capture_on_commit_callbacks
):
    with time_machine.travel(date(2026, 6, 1), tick=False):
        a = new_applicant(world, on=date(2026, 6, 1))
    assert a.due_on == date(2026, 7, 1)
    inbox = Notification.objects.filter(recipient=world.user("branch"), title__startswith="发展党员")
    with django_capture_on_commit_callbacks(execute=True):
        assert svc.recruitment_sweep(today=date(2026, 6, 23)) == {"reminded": 0, "overdue": 0}
        assert svc.recruitment_sweep(today=date(2026, 6, 24)) == {"reminded": 1, "overdue": 0}
        assert svc.recruitment_sweep(today=date(2026, 6, 25)) == {"reminded": 0, "overdue": 0}
        assert svc.recruitment_sweep(today=date(2026, 7, 1)) == {"reminded": 0, "overdue": 0}
        assert svc.recruitment_sweep(today=date(2026, 7, 2)) == {"reminded": 0, "overdue": 1}
        assert svc.recruitment_sweep(today=date(2026, 7, 3)) == {"reminded": 0, "overdue": 0}
    assert list(inbox.values_list("title", flat=True).order_by("id")) == [
        f"发展党员期限提醒：{a.person.name}",
        f"发展党员已超期：{a.person.name}",
    ]
    assert not Notification.objects.filter(recipient=world.user("outsider_branch")).exists()
    # recording the step moves the deadline (none for step 3) and re-arms nothing stale
    with time_machine.travel(date(2026, 7, 3), tick=False):
        a = svc.applicant_advance(
            actor=world.user("branch"), applicant=a, step=2, on=date(2026, 7, 3), late_reason="补记"
        )
    assert (a.due_on, a.reminded_at, a.overdue_notified_at) == (None, None, None)


# --- scope, pages, uploads, API -----------------------------------------------------------------------------


def test_an_outsider_branch_never_sees_another_branchs_applicant(world, today, client, api_token):
    a = new_applicant(world)
    client.force_login(world.user("outsider_branch"))
    assert client.get(f"/party/recruitment/{a.pk}/").status_code == 404
    assert client.post(f"/party/recruitment/{a.pk}/advance/", {"step": 2}).status_code == 404
    assert a.pk not in [r.pk for r in sel.applicants_visible_to(world.user("outsider_branch"))]
    headers = api_token(world.user("outsider_branch"))
    assert client.get(f"/api/v1/party/recruitment/{a.pk}", **headers).status_code == 404
    response = client.post(
        f"/api/v1/party/recruitment/{a.pk}/steps",
        {"step": 2, "on": "2024-01-20"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    assert not sel.applicants_visible_to(world.user("gridworker")).exists()


def test_the_overdue_list_rolls_up_the_org_tree_and_puts_overdue_first(world, today, client):
    late = new_applicant(world, on=date(2026, 5, 1))  # talk was due 2026-06-01
    fresh = new_applicant(world, on=date(2026, 6, 28), key="A1-21")  # due 2026-07-28
    rows = {o.name: o for o in sel.overdue_rollup(world.user("street"))}
    assert (rows["广文街道党工委"].active, rows["广文街道党工委"].overdue) == (2, 1)
    assert (rows["A1网格党支部"].overdue, rows["A2网格党支部"].active) == (1, 0)
    assert [o.name for o in sel.overdue_rollup(world.user("branch"))] == ["A1网格党支部"]
    outside = sel.overdue_rollup(world.user("outsider_street"))
    assert "A1网格党支部" not in [o.name for o in outside] and all(o.active == 0 for o in outside)
    talked = walk(world, new_applicant(world, key="A1-30"), 2)  # no deadline for step 3: listed last
    assert talked.due_on is None
    assert list(sel.search_applicants(world.user("branch"))) == [late, fresh, talked]
    client.force_login(world.user("street"))
    page = client.get("/party/recruitment/overdue/").content.decode()
    assert "广文街道党工委" in page and late.person.name in page and fresh.person.name not in page


def test_uploads_are_sniffed_size_limited_and_served_only_in_scope(world, today, client):
    a = new_applicant(world)
    branch = world.user("branch")
    with pytest.raises(ValidationError, match="只接受 PDF、JPEG 或 PNG"):
        upload(branch, a, 1, content=b"MZ\x90\x00 not a pdf", name="申请书.pdf")
    Rule.objects.create(key="party.recruit.document_max_mb", value=1)
    core_rules.invalidate()
    with pytest.raises(ValidationError, match="不能超过 1 MB"):
        upload(branch, a, 1, content=PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError, match="已完成的步骤或下一步"):
        upload(branch, a, 3)
    doc = upload(branch, a, 1, content=PNG, name="入党申请书")
    assert (doc.content_type, doc.file.name.endswith(".png")) == ("image/png", True)
    client.force_login(branch)
    response = client.get(f"/party/recruitment/{a.pk}/documents/{doc.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    client.force_login(world.user("outsider_branch"))
    assert client.get(f"/party/recruitment/{a.pk}/documents/{doc.pk}/").status_code == 404


def test_the_branch_walks_an_applicant_through_the_pages(world, today, client):
    client.force_login(world.user("branch"))
    page = client.get("/party/recruitment/new/", {"q": world.residents["A1-01"].name}).content.decode()
    assert world.residents["A1-01"].name in page
    response = client.post(
        "/party/recruitment/new/",
        {"person": world.residents["A1-01"].pk, "branch": world.orgs["A1"].pk, "applied_on": "2026-06-20"},
    )
    a = Applicant.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/party/recruitment/{a.pk}/"
    page = client.get(f"/party/recruitment/{a.pk}/").content.decode()
    assert "办理第2步“党组织派人谈话”" in page and "2026-07-20" in page
    response = client.post(
        f"/party/recruitment/{a.pk}/advance/", {"step": "4", "on": "2026-06-25"}, follow=True
    )
    assert "下一步应为第2步" in response.content.decode()
    client.post(f"/party/recruitment/{a.pk}/advance/", {"step": "2", "on": "2026-06-25", "note": "书记谈话"})
    a.refresh_from_db()
    assert a.step == 2
    listing = client.get("/party/recruitment/", {"q": a.person.name}).content.decode()
    assert a.person.name in listing and "第3步“推荐和确定入党积极分子”" in listing
    assert "没有符合条件" in client.get("/party/recruitment/", {"q": "不存在的人"}).content.decode()
    client.post(
        f"/party/recruitment/{a.pk}/upload/", {"step": "2", "file": SimpleUploadedFile("谈话记录.pdf", PDF)}
    )
    assert a.documents.get().name == "谈话记录.pdf"


def test_a_leader_reads_but_cannot_record_steps(world, today, client, api_token):
    a = new_applicant(world)
    headers = api_token(world.user("leader"))
    assert client.get(f"/api/v1/party/recruitment/{a.pk}", **headers).status_code == 200
    response = client.post(
        f"/api/v1/party/recruitment/{a.pk}/steps",
        {"step": 2, "on": "2024-01-20"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 403


def test_the_api_lists_details_and_advances_with_409_for_order_and_400_for_limits(
    world, today, client, api_token
):
    headers = api_token(world.user("branch"))
    created = client.post(
        "/api/v1/party/recruitment/",
        {
            "person_id": world.residents["A1-01"].pk,
            "branch_id": world.orgs["A1"].pk,
            "applied_on": "2024-01-08",
        },
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201
    pk = created.json()["applicant"]["id"]
    url = f"/api/v1/party/recruitment/{pk}/steps"
    wrong = client.post(url, {"step": 3, "on": "2024-01-20"}, content_type="application/json", **headers)
    assert wrong.status_code == 409 and "第1步“递交入党申请书”" in wrong.json()["detail"]
    late = client.post(url, {"step": 2, "on": "2024-02-09"}, content_type="application/json", **headers)
    assert late.status_code == 400 and "第七条" in late.json()["detail"]
    ok = client.post(url, {"step": 2, "on": "2024-02-08"}, content_type="application/json", **headers)
    assert ok.status_code == 200
    body = ok.json()
    assert body["applicant"]["step"] == 2 and body["applicant"]["next_step_name"] == "推荐和确定入党积极分子"
    assert body["steps"][1]["done_on"] == "2024-02-08" and body["events"][-1]["action"] == "step"
    listing = client.get("/api/v1/party/recruitment/", {"status": "active"}, **headers).json()
    assert listing["count"] == 1 and listing["items"][0]["name"] == world.residents["A1-01"].name
    rollup = client.get("/api/v1/party/recruitment/overdue", **headers).json()
    assert rollup == [
        {
            "org_id": world.orgs["A1"].pk,
            "name": "A1网格党支部",
            "kind": "grid_branch",
            "depth": 2,
            "active": 1,
            "due_soon": 0,
            "overdue": 0,
        }
    ]


def test_residents_object_through_the_api_during_the_publicity(world, today, client, api_token):
    a = walk(world, new_applicant(world), 6)
    pub = publish(world, a, date(2026, 6, 29))
    headers = api_token(world.user("resident"))
    listing = client.get("/api/v1/party/recruitment/publicities", **headers).json()
    assert [p["id"] for p in listing["items"]] == [pub.pk]
    response = client.post(
        f"/api/v1/party/recruitment/publicities/{pub.pk}/objections",
        {"content": "请核实其工作表现情况"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201 and response.json()["status"] == "open"
    outsider = api_token(world.user("outsider_resident"))
    response = client.post(
        f"/api/v1/party/recruitment/publicities/{pub.pk}/objections",
        {"content": "请核实其工作表现情况"},
        content_type="application/json",
        **outsider,
    )
    assert response.status_code == 404


def test_the_api_takes_uploads_only_of_real_pdfs_and_images(world, today, client, api_token):
    a = new_applicant(world)
    headers = api_token(world.user("branch"))
    url = f"/api/v1/party/recruitment/{a.pk}/documents"
    bad = client.post(url, {"step": 1, "file": SimpleUploadedFile("x.pdf", b"<html>")}, **headers)
    assert bad.status_code == 400 and "PDF、JPEG 或 PNG" in bad.json()["detail"]
    ok = client.post(
        url, {"step": 1, "name": "入党申请书", "file": SimpleUploadedFile("a.pdf", PDF)}, **headers
    )
    assert ok.status_code == 201 and ok.json()["content_type"] == "application/pdf"
    assert client.get(ok.json()["url"], **headers).status_code == 200


def test_the_list_page_costs_the_same_queries_for_more_applicants(world, today, client):
    """One query for the page of files (person and branch joined), one for the count, whatever the rows."""
    client.force_login(world.user("branch"))
    new_applicant(world)
    client.get("/party/recruitment/")  # warm the session and the rules-table cache
    with CaptureQueriesContext(connection) as one:
        client.get("/party/recruitment/")
    for key in ("A1-11", "A1-21", "A1-30", "A1-31"):
        new_applicant(world, key=key)
    with CaptureQueriesContext(connection) as five:
        page = client.get("/party/recruitment/").content.decode()
    assert page.count('href="/party/recruitment/') >= 5
    assert len(five) == len(one), [q["sql"] for q in five.captured_queries]
