"""Helpers of the KPI tests: rows of the other modules made the way their services leave them (with the
event rows the roll-ups read), and reading a node's value from the roll-ups."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

TZ = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def node(obj):
    from redgrid.assessment.nodes import Node
    from redgrid.party.models import PartyOrg
    from redgrid.units.models import Unit

    tree = "org" if isinstance(obj, PartyOrg) else "unit" if isinstance(obj, Unit) else "region"
    return Node(tree, obj)


def value(obj, key: str, period_key: str):
    """(numerator, denominator, value) of one indicator for one node from the roll-ups."""
    from redgrid.assessment import indicators as I
    from redgrid.assessment import periods, selectors

    n = node(obj)
    row = selectors.evaluate([n], periods.parse(period_key), [(key, None, None)])[0]
    cell = row.cells[0]
    return cell.num, cell.den, cell.value if I.get(key).kind != "rate" else cell.value


def meeting(org, kind: str, day: date, *, actor=None):
    """A held meeting recorded through the party service (with its MeetingEvent rows)."""
    from redgrid.party import services

    present = list(services.expected_attendees(org, kind).values_list("pk", flat=True))
    return services.meeting_record(
        actor=actor,
        org=org,
        kind=kind,
        date=day,
        place="党群服务站",
        topic="测试会议",
        present=present,
        close=True,
    )


def committee(org, members):
    """Give a branch a committee: the flag and 党内职务 for the given members."""
    from redgrid.party.models import PartyMember

    org.has_committee = True
    org.save(update_fields=["has_committee"])
    for i, m in enumerate(members):
        PartyMember.objects.filter(pk=m.pk).update(position=["书记", "组织委员", "宣传委员"][i % 3])


def pay(member, year: int, month: int, paid_on: date, *, actor=None):
    from redgrid.party import services

    if not member.dues_bases.exists():
        services.dues_set_base(actor=actor, member=member, year=2026, from_month=1, base=Decimal("4000"))
    return services.dues_record_payment(
        actor=actor, member=member, year=year, month=month, amount=Decimal("40"), paid_on=paid_on
    )


def applicant(person, branch, *, step: int, applied: date, due_on=None, status="active"):
    from redgrid.party.models import Applicant, ApplicantEvent

    a = Applicant.objects.create(
        person=person, branch=branch, step=step, applied_on=applied, due_on=due_on, status=status
    )
    ApplicantEvent.objects.create(applicant=a, action="create", to_state=str(step))
    return a


def step(applicant, number: int, done_on: date, *, late: bool = False):
    from redgrid.party.models import ApplicantEvent, ApplicantStep

    data = {"late_reason": "上级党委会议推迟"} if late else {}
    ApplicantStep.objects.create(applicant=applicant, number=number, done_on=done_on, data=data)
    ApplicantEvent.objects.create(
        applicant=applicant, action="step", to_state=str(number), data={"step": number}
    )


def wish(world, grid_key: str, *, approved: datetime | None, status: str, title="一副老花镜"):
    from redgrid.participation.models import Wish, WishEvent

    w = Wish.objects.create(
        poster=world.user("resident"),
        grid=world.regions[grid_key],
        title=title,
        content="想要",
        status=status,
    )
    WishEvent.objects.create(wish=w, action="post", to_state="pending")
    if approved is not None:
        WishEvent.objects.create(wish=w, action="approve", to_state="open", at=approved)
    return w


def evaluation(rater, target_type: str, target_id: int, score: int, when: datetime):
    from redgrid.participation.models import Evaluation

    return Evaluation.objects.create(
        rater=rater,
        target_type=target_type,
        target_id=target_id,
        period=f"{when.year}Q{(when.month - 1) // 3 + 1}",
        score=score,
        created_at=when,
    )


def account_for(person, username: str):
    from redgrid.accounts.models import User

    user = User.objects.filter(person=person).first()
    return user or User.objects.create(username=username, person=person, password="!")


def volunteer(world, user, starts: datetime, hours: str, *, dual: bool = False, status="confirmed"):
    from redgrid.participation.models import ShiftSignup, VolunteerActivity, VolunteerEvent, VolunteerShift

    activity = VolunteerActivity.objects.create(
        title="清扫楼道",
        description="清扫",
        community=world.regions["wenhua"],
        organiser=world.user("community"),
        address="A1路1号",
        dual_report=dual,
    )
    shift = VolunteerShift.objects.create(
        activity=activity, starts_at=starts, ends_at=starts.replace(hour=18), place="楼道", capacity=5
    )
    signup = ShiftSignup.objects.create(
        shift=shift,
        user=user,
        status=status,
        confirmed_hours=Decimal(hours),
        dual_report=dual,
        confirmed_at=timezone.now(),
    )
    VolunteerEvent.objects.create(signup=signup, activity=activity, action="confirm", to_state=status)
    return signup


def dual_service(member, community, served_on: date, hours: str, *, status="confirmed"):
    from redgrid.party.models import DualRegistration, DualReportEvent, DualServiceRecord

    reg = DualRegistration.objects.create(
        member=member,
        community=community,
        status="confirmed",
        confirmed_on=served_on,
        valid_until=date(served_on.year, 12, 31),
    )
    record = DualServiceRecord.objects.create(
        member=member,
        registration=reg,
        community=community,
        served_on=served_on,
        hours=Decimal(hours),
        content="陪老人聊天",
        status=status,
    )
    DualReportEvent.objects.create(service=record, action="service_confirm", to_state=status)
    return record


def study(user, seconds: int, year: int = 2026, slug: str = "c1"):
    from redgrid.learning.models import Course, StudyRecord

    course, _ = Course.objects.get_or_create(slug=slug, defaults={"title": "学习党章", "category": "党章"})
    return StudyRecord.objects.create(user=user, course=course, year=year, seconds=seconds)
