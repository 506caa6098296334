"""Adapters from the other modules' rows to the items the folded indicators count (see indicators.py).

A source knows one kind of object (a meeting requirement, a member-month of dues, an applicant file, a
wish, a volunteer sign-up, a 双报到 service record, an online evaluation, a member-year) by a string key,
and answers four questions:

- `items(keys, today, anchors)` — the items each object counts now (the formula, object by object);
- `changed(since)`             — keys whose rows changed since then (from event rows/timestamps);
- `due(first, last)`           — keys whose deadline passed on one of the days [first, last] (calendar);
- `all_keys(today)`            — every key (for rebuilds and for recomputation in tests).

Reads go through the modules' public functions where they exist (party.compliance.applicable_kinds,
party.services.dues_start, party.limits.meeting_period, learning.selectors.branch_study_report); the
rest is read from the model rows, as stated in each docstring — these are the adapters for functions the
modules do not expose (see the README section).
"""

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from redgrid.assessment.rules import calendar_start
from redgrid.party import periods as P
from redgrid.party.models import PartyOrg
from redgrid.regions.models import Region


@dataclass(frozen=True)
class Item:
    """One counted item: numerator/denominator on a day, for an organisation, a region and/or a unit."""

    indicator: str
    day: date
    num: int
    den: int
    region: tuple[int, str] | None = None
    org: tuple[int, str] | None = None
    unit: int | None = None
    label: str = ""

    def signature(self) -> tuple:
        return (self.indicator, self.day, self.num, self.den, self.region, self.org, self.unit, self.label)


def local_day(dt: datetime) -> date:
    return timezone.localtime(dt, timezone.get_default_timezone()).date()


def tenths(hours) -> int:
    """Hours (one decimal place everywhere they are recorded) as an integer number of tenths."""
    return int((Decimal(str(hours or 0)) * 10).to_integral_value())


def _common_prefix(paths: list[str], step: int) -> str:
    first, last = min(paths), max(paths)
    n = 0
    while n < len(first) and n < len(last) and first[n] == last[n]:
        n += 1
    return first[: n - n % step]


class Anchors:
    """Where party items count: org id → (org path, the region node it is anchored to, or None).

    The region of an organisation is the deepest region covering every region it is responsible for
    (PartyOrg.regions); an organisation without its own regions takes its nearest ancestor's. Loaded once
    per fold (three queries)."""

    def __init__(self):
        self._map: dict[int, tuple[str, tuple[int, str] | None]] | None = None

    def _load(self) -> dict:
        orgs = dict(PartyOrg.objects.values_list("pk", "path"))
        linked: dict[int, list[str]] = defaultdict(list)
        for org_id, path in PartyOrg.regions.through.objects.values_list("partyorg_id", "region__path"):
            linked[org_id].append(path)
        own = {org_id: _common_prefix(paths, Region.steplen) for org_id, paths in linked.items()}
        ids = dict(Region.objects.filter(path__in=set(own.values())).values_list("path", "pk"))
        by_path = {path: org_id for org_id, path in orgs.items()}
        result = {}
        for org_id, path in orgs.items():
            region = None
            for n in range(len(path), 0, -PartyOrg.steplen):
                holder = by_path.get(path[:n])
                if holder in own and own[holder] in ids:
                    region = (ids[own[holder]], own[holder])
                    break
            result[org_id] = (path, region)
        return result

    def of(self, org_id: int | None) -> dict:
        if self._map is None:
            self._map = self._load()
        if org_id is None or org_id not in self._map:
            return {}
        path, region = self._map[org_id]
        return {"org": (org_id, path), "region": region}


class Source(ABC):
    """One module's rows folded into roll-up items; every source says which objects exist (`all_keys`)
    and what items each contributes (`items`)."""

    name = ""
    indicators: tuple[str, ...] = ()

    @abstractmethod
    def items(self, keys: list[str], today: date, anchors: Anchors) -> dict[str, list[Item]]:
        """The roll-up items of the objects `keys`."""

    def changed(self, since: datetime) -> set[str]:
        return set()

    def due(self, first: date, last: date) -> set[str]:
        return set()

    @abstractmethod
    def all_keys(self, today: date) -> set[str]:
        """Every object this source counts as of `today` (a rebuild folds them all)."""

    def periodic(self, today: date) -> set[str]:
        """Keys to compare on a timer because their rows carry no change time (see MembersSource)."""
        return set()

    def link(self, key: str) -> str:
        return ""


def _ids(keys: Iterable[str], part: int = 0) -> set[int]:
    return {int(k.split(":")[part]) for k in keys}


# --- 组织生活合规率 ----------------------------------------------------------------------------------------------


class MeetingsSource(Source):
    """Key `branch:kind:YYYYMMDD` — one meeting requirement of a branch for one period of that kind.

    Reads: the branches (PartyOrg of BRANCH_KINDS), their party groups, the held (closed) meetings of the
    branch and its groups (OrgLifeMeeting); applicability and periods through party.compliance and
    party.limits. Changes: MeetingEvent rows; calendar: the periods that ended."""

    name = "meetings"
    indicators = ("branch_life",)

    @staticmethod
    def _kinds():
        from redgrid.party import limits
        from redgrid.party.compliance import KINDS

        return {kind: limits.meeting_period(kind) for kind in KINDS}

    def _branch_ids(self) -> list[int]:
        return list(PartyOrg.objects.filter(kind__in=PartyOrg.BRANCH_KINDS).values_list("pk", flat=True))

    def _keys(self, branch_ids, slots: dict[str, list[date]]) -> set[str]:
        return {
            f"{b}:{kind}:{s:%Y%m%d}" for kind, starts in slots.items() for s in starts for b in branch_ids
        }

    def all_keys(self, today):
        first = calendar_start()
        slots = {k: P.starts_between(p, first, today) for k, p in self._kinds().items()}
        return self._keys(self._branch_ids(), slots)

    def due(self, first, last):
        if last < first:
            return set()
        start = calendar_start()
        slots = {}
        for kind, period in self._kinds().items():
            slots[kind] = [
                s
                for s in P.starts_between(period, first, last)
                if s >= start and first <= P.bounds(period, s)[1] <= last
            ]
        return self._keys(self._branch_ids(), slots)

    def changed(self, since):
        from redgrid.party.models import MeetingEvent

        rows = set(
            MeetingEvent.objects.filter(at__gte=since).values_list(
                "meeting__org__path", "meeting__kind", "meeting__date"
            )
        )
        if not rows:
            return set()
        prefixes = {
            path[:n] for path, _, _ in rows for n in range(PartyOrg.steplen, len(path) + 1, PartyOrg.steplen)
        }
        branches = dict(
            PartyOrg.objects.filter(path__in=prefixes, kind__in=PartyOrg.BRANCH_KINDS).values_list(
                "path", "pk"
            )
        )
        kinds = self._kinds()
        keys = set()
        for path, kind, day in rows:
            branch = _nearest(path, branches)
            if branch is not None and kind in kinds:
                keys.add(f"{branch}:{kind}:{P.bounds(kinds[kind], day)[0]:%Y%m%d}")
        return keys

    def items(self, keys, today, anchors):
        from redgrid.party.compliance import KIND_LABELS, applicable_kinds
        from redgrid.party.models import OrgLifeMeeting

        parsed = []
        for key in keys:
            branch_id, kind, start = key.split(":")
            parsed.append((key, int(branch_id), kind, datetime.strptime(start, "%Y%m%d").date()))
        out: dict[str, list[Item]] = {key: [] for key in keys}
        if not parsed:
            return out
        branches = {
            o.pk: o
            for o in PartyOrg.objects.filter(pk__in={p[1] for p in parsed}, kind__in=PartyOrg.BRANCH_KINDS)
        }
        if not branches:
            return out
        root = _common_prefix([b.path for b in branches.values()], PartyOrg.steplen)
        branch_paths = {b.path: b.pk for b in branches.values()}
        with_groups = set()
        for path in PartyOrg.objects.filter(path__startswith=root, kind__in=PartyOrg.GROUP_KINDS).values_list(
            "path", flat=True
        ):
            owner = _nearest(path[: -PartyOrg.steplen], branch_paths)
            if owner is not None:
                with_groups.add(owner)
        kinds = self._kinds()
        first_day = min(p[3] for p in parsed)
        held: dict[tuple[int, str], list[date]] = defaultdict(list)
        for path, kind, day in OrgLifeMeeting.objects.filter(
            org__path__startswith=root,
            status=OrgLifeMeeting.Status.CLOSED,
            kind__in={p[2] for p in parsed},
            date__gte=first_day,
            date__lte=today,
        ).values_list("org__path", "kind", "date"):
            owner = _nearest(path, branch_paths)
            if owner is not None:
                held[(owner, kind)].append(day)
        start = calendar_start()
        for key, branch_id, kind, slot in parsed:
            branch = branches.get(branch_id)
            if branch is None or kind not in kinds:
                continue
            if kind not in applicable_kinds(branch, has_groups=branch_id in with_groups):
                continue
            period = kinds[kind]
            first, last = P.bounds(period, slot)
            if first != slot or first < start:
                continue  # the rules table changed the period since the key was made
            days = [d for d in held.get((branch_id, kind), []) if first <= d <= last]
            what = f"{branch.name} · {KIND_LABELS[kind]} · {P.label(period, first)}"
            where = anchors.of(branch_id)
            if days:
                d = min(days)
                out[key].append(Item("branch_life", d, 1, 1, label=f"{what}：{d:%m月%d日}已召开", **where))
            elif today > last:
                out[key].append(Item("branch_life", last, 0, 1, label=f"{what}：逾期未召开", **where))
        return out

    def link(self, key):
        return reverse("party:org", args=[int(key.split(":")[0])])


def _nearest(path: str, known: dict[str, int]) -> int | None:
    """The id of `path` or of its nearest ancestor among `known` paths (groups report to their branch)."""
    for n in range(len(path), 0, -PartyOrg.steplen):
        if path[:n] in known:
            return known[path[:n]]
    return None


# --- 党费按时缴纳率 ----------------------------------------------------------------------------------------------


def _month_keys(member_id: int, first: date, today: date) -> list[str]:
    out, (y, m) = [], (first.year, first.month)
    while (y, m) <= (today.year, today.month):
        out.append(f"{member_id}:{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_last(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


class DuesSource(Source):
    """Key `member:YYYY-MM` — one month's dues of one member.

    Reads: PartyMember (status, organisation, acceptance), DuesPayment (paid_on); the first month owed
    through party.services.dues_start. Changes: payments recorded, MemberEvent rows and new members;
    calendar: months that ended."""

    name = "dues"
    indicators = ("dues_on_time",)

    def _active(self):
        from redgrid.party.models import PartyMember

        return PartyMember.objects.filter(status__in=PartyMember.ACTIVE)

    def _first_month(self, member) -> date:
        from redgrid.party.services import dues_start

        y, m = dues_start(member)
        return max(date(y, m, 1), calendar_start())

    def _keys_of(self, members, today) -> set[str]:
        keys = set()
        for member in members:
            keys.update(_month_keys(member.pk, self._first_month(member), today))
        return keys

    def all_keys(self, today):
        return self._keys_of(self._active().only("pk", "joined_on"), today)

    def due(self, first, last):
        months = set()
        day = first
        while day <= last:
            month_last = _month_last(day.year, day.month)
            if month_last <= last:
                months.add((day.year, day.month))
            day = month_last + timedelta(days=1)
        keys = set()
        for member in self._active().only("pk", "joined_on"):
            start = self._first_month(member)
            keys.update(f"{member.pk}:{y}-{m:02d}" for y, m in months if date(y, m, 1) >= start)
        return keys

    def changed(self, since):
        from redgrid.party.models import DuesPayment, PartyMember

        keys = {
            f"{m}:{y}-{mo:02d}"
            for m, y, mo in DuesPayment.objects.filter(recorded_at__gte=since).values_list(
                "member_id", "year", "month"
            )
        }
        ids = members_changed(since)
        if ids:
            members = PartyMember.objects.filter(pk__in=ids).only("pk", "joined_on")
            keys |= self._keys_of(members, timezone.localdate())
        return keys

    def items(self, keys, today, anchors):
        from redgrid.party.models import DuesPayment, PartyMember

        out: dict[str, list[Item]] = {key: [] for key in keys}
        members = {
            m.pk: m
            for m in PartyMember.objects.filter(
                pk__in=_ids(keys), status__in=PartyMember.ACTIVE
            ).select_related("person")
        }
        paid = {
            (m, y, mo): on
            for m, y, mo, on in DuesPayment.objects.filter(member_id__in=list(members)).values_list(
                "member_id", "year", "month", "paid_on"
            )
        }
        for key in keys:
            member_id, ym = key.split(":")
            member = members.get(int(member_id))
            if member is None:
                continue
            y, mo = (int(x) for x in ym.split("-"))
            first, last = date(y, mo, 1), _month_last(y, mo)
            if first < self._first_month(member) or first > today:
                continue
            on = paid.get((member.pk, y, mo))
            what = f"{member.person.name} {y}年{mo}月党费"
            where = anchors.of(member.org_id)
            if on is not None and on <= last:
                out[key].append(
                    Item(
                        "dues_on_time",
                        max(on, first),
                        1,
                        1,
                        label=f"{what}：按时缴纳（{on:%m月%d日}）",
                        **where,
                    )
                )
            elif today > last:
                state = f"逾期补缴（{on:%Y年%m月%d日}）" if on else "到期未缴"
                out[key].append(Item("dues_on_time", last, 0, 1, label=f"{what}：{state}", **where))
        return out

    def link(self, key):
        return reverse("party:member", args=[int(key.split(":")[0])])


# --- 发展党员按期办理率 ---------------------------------------------------------------------------------------------


class RecruitmentSource(Source):
    """Key `applicant` — one recruitment file.

    Reads: Applicant (status, step, due_on), ApplicantStep (number, done_on, data.late_reason — set when a
    step with an upper time limit is recorded late with an explanation, party.recruitment_rules._late);
    the steps with time limits are party.recruitment_rules.LATE_STEPS. Changes: ApplicantEvent rows;
    calendar: deadlines that passed."""

    name = "recruitment"
    indicators = ("recruitment_kept",)

    def all_keys(self, today):
        from redgrid.party.models import Applicant

        return {str(pk) for pk in Applicant.objects.values_list("pk", flat=True)}

    def changed(self, since):
        from redgrid.party.models import ApplicantEvent

        return {
            str(pk)
            for pk in ApplicantEvent.objects.filter(at__gte=since).values_list("applicant_id", flat=True)
        }

    def due(self, first, last):
        from redgrid.party.models import Applicant

        if last < first:
            return set()
        rows = Applicant.objects.filter(status=Applicant.Status.ACTIVE, due_on__gte=first, due_on__lte=last)
        return {str(pk) for pk in rows.values_list("pk", flat=True)}

    def items(self, keys, today, anchors):
        from redgrid.party.models import Applicant, ApplicantStep
        from redgrid.party.recruitment_rules import LATE_STEPS, STEP_NAMES

        out: dict[str, list[Item]] = {key: [] for key in keys}
        applicants = {a.pk: a for a in Applicant.objects.filter(pk__in=_ids(keys)).select_related("person")}
        steps = defaultdict(list)
        for applicant_id, number, done_on, data in ApplicantStep.objects.filter(
            applicant_id__in=list(applicants), number__in=LATE_STEPS
        ).values_list("applicant_id", "number", "done_on", "data"):
            steps[applicant_id].append((number, done_on, data or {}))
        for key in keys:
            a = applicants.get(int(key))
            if a is None:
                continue
            where = anchors.of(a.branch_id)
            for number, done_on, data in sorted(steps.get(a.pk, [])):
                late = bool(data.get("late_reason"))
                state = "超期办理（已附情况说明）" if late else "按期办理"
                label = f"{a.person.name} 第{number}步 {STEP_NAMES[number]}：{state}"
                out[key].append(Item("recruitment_kept", done_on, 0 if late else 1, 1, label=label, **where))
            nxt = a.step + 1
            if a.status == Applicant.Status.ACTIVE and a.due_on and a.due_on < today and nxt in LATE_STEPS:
                label = (
                    f"{a.person.name} 第{nxt}步 {STEP_NAMES[nxt]}：超期未办理（期限{a.due_on:%Y年%m月%d日}）"
                )
                out[key].append(Item("recruitment_kept", a.due_on, 0, 1, label=label, **where))
        return out

    def link(self, key):
        return reverse("party:recruitment_applicant", args=[int(key)])


# --- 微心愿实现率 ------------------------------------------------------------------------------------------------


class WishesSource(Source):
    """Key `wish`. Reads: Wish (grid, status), the first 审核通过 WishEvent. Changes: WishEvent rows."""

    name = "wishes"
    indicators = ("wishes_fulfilled",)

    def all_keys(self, today):
        from redgrid.participation.models import WishEvent

        rows = WishEvent.objects.filter(action="approve").values_list("wish_id", flat=True).distinct()
        return {str(pk) for pk in rows}

    def changed(self, since):
        from redgrid.participation.models import WishEvent

        return {str(pk) for pk in WishEvent.objects.filter(at__gte=since).values_list("wish_id", flat=True)}

    def items(self, keys, today, anchors):
        from redgrid.participation.models import Wish

        out: dict[str, list[Item]] = {key: [] for key in keys}
        rows = (
            Wish.objects.filter(pk__in=_ids(keys))
            .annotate(published=Min("events__at", filter=_approve_q()))
            .values_list("pk", "title", "status", "grid_id", "grid__path", "published")
        )
        for pk, title, status, grid_id, grid_path, published in rows:
            if published is None:
                continue
            done = status in Wish.DONE_STATUSES
            label = f"{title}（{Wish.Status(status).label}）"
            out[str(pk)].append(
                Item(
                    "wishes_fulfilled",
                    local_day(published),
                    int(done),
                    1,
                    region=(grid_id, grid_path),
                    label=label,
                )
            )
        return out

    def link(self, key):
        return reverse("participation:wish", args=[int(key)])


def _approve_q():
    from django.db.models import Q

    return Q(events__action="approve")


# --- 志愿服务与双报到时长 ---------------------------------------------------------------------------------------------


def members_changed(since) -> set[int]:
    """Members whose status changed (MemberEvent) or who were added since then: items that count only
    active members (hours, dues, snapshots) depend on it."""
    from redgrid.party.models import MemberEvent, PartyMember

    ids = set(MemberEvent.objects.filter(at__gte=since).values_list("member_id", flat=True))
    ids |= set(PartyMember.objects.filter(created_at__gte=since).values_list("pk", flat=True))
    return ids


def _members_by_person(person_ids) -> dict[int, tuple[int, int, str]]:
    """Active party members by person id: (member id, organisation id, name)."""
    from redgrid.party.models import PartyMember

    return {
        person: (pk, org, name)
        for pk, person, org, name in PartyMember.objects.filter(
            person_id__in=[p for p in person_ids if p], status__in=PartyMember.ACTIVE
        ).values_list("pk", "person_id", "org_id", "person__name")
    }


class VolunteerSource(Source):
    """Key `signup` — a volunteer sign-up. Counts the confirmed hours of active party members on the day
    their shift started (participation.volunteer_selectors.confirmed_in_year's rule), into
    volunteer_hours, and into dual_hours when the record counted as 双报到 service (ShiftSignup.dual_report).
    Changes: VolunteerEvent rows of the sign-up."""

    name = "volunteer"
    indicators = ("volunteer_hours", "dual_hours")

    def all_keys(self, today):
        from redgrid.participation.models import ShiftSignup

        rows = ShiftSignup.objects.filter(status=ShiftSignup.Status.CONFIRMED).values_list("pk", flat=True)
        return {str(pk) for pk in rows}

    def changed(self, since):
        from redgrid.participation.models import ShiftSignup, VolunteerEvent

        rows = VolunteerEvent.objects.filter(at__gte=since, signup__isnull=False)
        keys = {str(pk) for pk in rows.values_list("signup_id", flat=True)}
        members = members_changed(since)
        if members:
            confirmed = ShiftSignup.objects.filter(
                status=ShiftSignup.Status.CONFIRMED, user__person__party_member__in=members
            )
            keys |= {str(pk) for pk in confirmed.values_list("pk", flat=True)}
        return keys

    def items(self, keys, today, anchors):
        from redgrid.participation.models import ShiftSignup

        out: dict[str, list[Item]] = {key: [] for key in keys}
        rows = list(
            ShiftSignup.objects.filter(pk__in=_ids(keys), status=ShiftSignup.Status.CONFIRMED).values_list(
                "pk",
                "user__person_id",
                "confirmed_hours",
                "dual_report",
                "shift__starts_at",
                "shift__activity__title",
            )
        )
        members = _members_by_person({r[1] for r in rows})
        for pk, person, hours, dual, starts_at, title in rows:
            member = members.get(person)
            if member is None or not hours:
                continue
            where = anchors.of(member[1])
            day = local_day(starts_at)
            label = f"{member[2]} {title} {hours}小时"
            out[str(pk)].append(Item("volunteer_hours", day, tenths(hours), 0, label=label, **where))
            if dual:
                out[str(pk)].append(
                    Item("dual_hours", day, tenths(hours), 0, label=f"{label}（计入双报到）", **where)
                )
        return out

    def link(self, key):
        return reverse("participation:vol_hours")


class DualSource(Source):
    """Key `record` — a 双报到 service record (party.DualServiceRecord), counted when the community has
    confirmed it, on its service day, for active members. Changes: DualReportEvent rows of the record."""

    name = "dual"
    indicators = ("dual_hours",)

    def all_keys(self, today):
        from redgrid.party.models import DualServiceRecord

        rows = DualServiceRecord.objects.filter(status=DualServiceRecord.Status.CONFIRMED).values_list(
            "pk", flat=True
        )
        return {str(pk) for pk in rows}

    def changed(self, since):
        from redgrid.party.models import DualReportEvent, DualServiceRecord

        rows = DualReportEvent.objects.filter(at__gte=since, service__isnull=False)
        keys = {str(pk) for pk in rows.values_list("service_id", flat=True)}
        members = members_changed(since)
        if members:
            keys |= {
                str(pk)
                for pk in DualServiceRecord.objects.filter(member__in=members).values_list("pk", flat=True)
            }
        return keys

    def items(self, keys, today, anchors):
        from redgrid.party.models import DualServiceRecord, PartyMember

        out: dict[str, list[Item]] = {key: [] for key in keys}
        rows = DualServiceRecord.objects.filter(
            pk__in=_ids(keys),
            status=DualServiceRecord.Status.CONFIRMED,
            member__status__in=PartyMember.ACTIVE,
        ).values_list("pk", "member__org_id", "member__person__name", "served_on", "hours", "content")
        for pk, org_id, name, served_on, hours, content in rows:
            label = f"{name} {content[:60]} {hours}小时"
            out[str(pk)].append(
                Item("dual_hours", served_on, tenths(hours), 0, label=label, **anchors.of(org_id))
            )
        return out

    def link(self, key):
        return reverse("party:dual_members")


# --- 网上评议 -------------------------------------------------------------------------------------------------------


class EvaluationSource(Source):
    """Key `evaluation` — one online rating (participation.Evaluation, 1–5), on the day it was given, for
    the rated organisation, the rated member's organisation, or the rated unit. Ratings are never edited:
    changes are the rows created in the window."""

    name = "evaluation"
    indicators = ("eval_score",)

    def all_keys(self, today):
        from redgrid.participation.models import Evaluation

        return {str(pk) for pk in Evaluation.objects.values_list("pk", flat=True)}

    def changed(self, since):
        from redgrid.participation.models import Evaluation

        rows = Evaluation.objects.filter(created_at__gte=since)
        keys = {str(pk) for pk in rows.values_list("pk", flat=True)}
        members = members_changed(since)  # a member's ratings count for the member's organisation
        if members:
            rated = Evaluation.objects.filter(target_type=Evaluation.TargetType.MEMBER, target_id__in=members)
            keys |= {str(pk) for pk in rated.values_list("pk", flat=True)}
        return keys

    def items(self, keys, today, anchors):
        from redgrid.participation.models import Evaluation
        from redgrid.party.models import PartyMember
        from redgrid.units.models import Unit

        out: dict[str, list[Item]] = {key: [] for key in keys}
        rows = list(
            Evaluation.objects.filter(pk__in=_ids(keys)).values_list(
                "pk", "target_type", "target_id", "score", "created_at"
            )
        )
        T = Evaluation.TargetType
        member_ids = {r[2] for r in rows if r[1] == T.MEMBER}
        members = dict(PartyMember.objects.filter(pk__in=member_ids).values_list("pk", "org_id"))
        names = {
            T.BRANCH: dict(
                PartyOrg.objects.filter(pk__in={r[2] for r in rows if r[1] == T.BRANCH}).values_list(
                    "pk", "name"
                )
            ),
            T.MEMBER: dict(PartyMember.objects.filter(pk__in=member_ids).values_list("pk", "person__name")),
            T.UNIT: dict(
                Unit.objects.filter(pk__in={r[2] for r in rows if r[1] == T.UNIT}).values_list("pk", "name")
            ),
        }
        for pk, kind, target, score, created_at in rows:
            if target not in names.get(kind, {}):
                continue
            label = f"{T(kind).label} {names[kind][target]}：{score} 星"
            if kind == T.UNIT:
                where = {"unit": target}
            else:
                where = anchors.of(target if kind == T.BRANCH else members.get(target))
            if where:
                out[str(pk)].append(Item("eval_score", local_day(created_at), score, 1, label=label, **where))
        return out

    def link(self, key):
        return reverse("participation:manage_evaluations")


# --- 在册党员与学时（年度快照） ---------------------------------------------------------------------------------


class MembersSource(Source):
    """Key `member:year` — an active member in a year: the `members` denominator, and the year's study
    hours and whether they reach the target (learning.selectors.branch_study_report), all on 1 January.

    Study records carry no change time (StudyRecord.seconds grows in place), so the current year's keys
    are compared on a timer (`periodic`, rule assessment.members_fold_seconds); member changes
    (MemberEvent rows, new members) refold at once."""

    name = "members"
    indicators = ("members", "study_hours", "study_target")

    def _active(self):
        from redgrid.party.models import PartyMember

        return PartyMember.objects.filter(status__in=PartyMember.ACTIVE)

    def all_keys(self, today):
        years = range(calendar_start().year, today.year + 1)
        return {f"{pk}:{y}" for pk in self._active().values_list("pk", flat=True) for y in years}

    def periodic(self, today):
        return {f"{pk}:{today.year}" for pk in self._active().values_list("pk", flat=True)}

    def changed(self, since):

        ids = members_changed(since)
        years = range(calendar_start().year, timezone.localdate().year + 1)
        return {f"{pk}:{y}" for pk in ids for y in years}

    def items(self, keys, today, anchors):
        from redgrid.learning.selectors import branch_study_report
        from redgrid.party.models import PartyMember

        out: dict[str, list[Item]] = {key: [] for key in keys}
        by_year = defaultdict(set)
        for key in keys:
            member_id, year = key.split(":")
            by_year[int(year)].add(int(member_id))
        for year, ids in by_year.items():
            members = {
                m.pk: m
                for m in PartyMember.objects.filter(pk__in=ids, status__in=PartyMember.ACTIVE).select_related(
                    "org", "person"
                )
            }
            roots = {m.org.path[: PartyOrg.steplen] for m in members.values()}
            study = {}
            for root in PartyOrg.objects.filter(path__in=roots):
                for row in branch_study_report(root, year=year):
                    study[row["member"].pk] = row
            for member_id, member in members.items():
                row = study.get(member_id, {"hours": 0, "target": 0, "met": False})
                name = member.person.name
                where = anchors.of(member.org_id)
                day = date(year, 1, 1)
                key = f"{member_id}:{year}"
                hours = Decimal(str(row["hours"]))
                out[key] += [
                    Item("members", day, 1, 1, label=name, **where),
                    Item("study_hours", day, tenths(hours), 1, label=f"{name} {year}年 {hours}学时", **where),
                    Item(
                        "study_target",
                        day,
                        int(bool(row["met"])),
                        1,
                        label=f"{name} {year}年 {hours}/{row['target']}学时",
                        **where,
                    ),
                ]
        return out

    def link(self, key):
        return reverse("party:member", args=[int(key.split(":")[0])])


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        MeetingsSource(),
        DuesSource(),
        RecruitmentSource(),
        WishesSource(),
        VolunteerSource(),
        DualSource(),
        EvaluationSource(),
        MembersSource(),
    )
}
