"""Reads of 党员教育: the member's profile and menu, yearly 学时, quizzes, points and scoped leaderboards."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from redgrid.core.access import get_or_404, scope_of
from redgrid.core.rules import rule_value
from redgrid.learning.models import Course, PointEntry, PointTotal, Quiz, QuizAttempt, StudyRecord

ELDERLY_AGE = 70


@dataclass
class Profile:
    """What the menu is chosen from: the member record and the audiences it belongs to."""

    member: object | None
    audiences: set[str] = field(default_factory=set)

    @property
    def is_committee(self) -> bool:
        return bool({"secretary", "committee"} & self.audiences)


def member_of(user):
    from redgrid.party.models import PartyMember

    if not user.is_authenticated or not user.person_id:
        return None
    return PartyMember.objects.select_related("org", "person").filter(person_id=user.person_id).first()


def profile_of(user, *, today: date | None = None) -> Profile:
    """Audiences: secretaries (branch grant or 书记 position), committee members (any position),
    older members (≥ 70), in-service members, members working away (流动党员), young members (< 35)."""
    member = member_of(user)
    audiences = {"all"}
    today = today or timezone.localdate()
    if scope_of(user).has_role("branch"):
        audiences.add("secretary")
    if member is not None:
        position = member.position or ""
        if "书记" in position:
            audiences.add("secretary")
        if position:
            audiences.add("committee")
        if member.in_service:
            audiences.add("in_service")
        if member.home_community_id and member.work_unit:
            audiences.add("mobile")
        birth = member.person.birth_date
        if birth:
            age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
            if age >= ELDERLY_AGE:
                audiences.add("elderly")
            elif age < 35:
                audiences.add("young")
    return Profile(member=member, audiences=audiences)


def is_learner(user) -> bool:
    """Party members study here; staff may look (to curate and check); other residents may not."""
    return user.is_authenticated and (scope_of(user).is_staff or member_of(user) is not None)


def courses_visible_to(user) -> QuerySet[Course]:
    if not is_learner(user):
        return Course.objects.none()
    return Course.objects.filter(is_published=True)


def access_course(user, pk) -> Course:
    return get_or_404(courses_visible_to(user), pk=pk)


def course_file_type(course: Course) -> str:
    """The content type a course file is served with: its extension, which the upload check (admin form,
    core.uploads.sniff_media) matched to the file's bytes."""
    name = course.file.name.lower()
    for ext, mime in (
        (".mp4", "video/mp4"),
        (".webm", "video/webm"),
        (".pdf", "application/pdf"),
    ):
        if name.endswith(ext):
            return mime
    return "application/octet-stream"


def study_menu(user, *, year: int | None = None) -> dict:
    """菜单式选学: required courses for the member's profile, courses recommended for it, courses the
    member's branch completed most, then the rest; each course carries the member's progress."""
    profile = profile_of(user)
    year = year or timezone.localdate().year
    courses = list(courses_visible_to(user))
    records = {r.course_id: r for r in StudyRecord.objects.filter(user=user, year=year)}
    popular: dict[int, int] = {}
    if profile.member is not None:
        popular = dict(
            StudyRecord.objects.filter(
                year=year,
                completed_at__isnull=False,
                user__person__party_member__org_id=profile.member.org_id,
            )
            .exclude(user=user)
            .values("course_id")
            .annotate(n=Count("id"))
            .values_list("course_id", "n")
        )
    required, recommended, branch, others = [], [], [], []
    for c in courses:
        c.record = records.get(c.pk)
        c.done = bool(c.record and c.record.completed_at)
        c.branch_count = popular.get(c.pk, 0)
        if set(c.required_for) & profile.audiences:
            required.append(c)
        elif set(c.audience) & (profile.audiences - {"all"}):
            recommended.append(c)
        elif c.branch_count:
            branch.append(c)
        else:
            others.append(c)
    branch.sort(key=lambda c: -c.branch_count)
    return {
        "profile": profile,
        "required": required,
        "recommended": recommended,
        "branch": branch,
        "others": others,
    }


def study_hours(user, *, year: int) -> dict:
    """Yearly 学时 against the target (rules.md §8: 32, secretaries and committee members 56)."""
    seconds = StudyRecord.objects.filter(user=user, year=year).aggregate(s=Sum("seconds"))["s"] or 0
    profile = profile_of(user)
    return _hours(seconds, profile.is_committee)


def _hours(seconds: int, committee: bool) -> dict:
    per_hour = rule_value("learning.minutes_per_hour") * 60
    target = rule_value("learning.hours_committee" if committee else "learning.hours_member")
    hours = round(seconds / per_hour, 1)
    return {
        "seconds": seconds,
        "hours": hours,
        "target": target,
        "met": hours >= target,
        "percent": min(100, round(100 * hours / target)) if target else 100,
    }


def branch_study_report(org, *, year: int) -> list[dict]:
    """One row per member of the branch subtree: 学时, target, points (3 queries for the whole branch)."""
    from redgrid.party.models import PartyMember

    members = list(
        PartyMember.objects.filter(org__path__startswith=org.path)
        .select_related("person", "org")
        .order_by("org__path", "person__name")
    )
    person_ids = [m.person_id for m in members]
    seconds = dict(
        StudyRecord.objects.filter(year=year, user__person_id__in=person_ids)
        .values("user__person_id")
        .annotate(s=Sum("seconds"))
        .values_list("user__person_id", "s")
    )
    points = dict(
        PointTotal.objects.filter(year=year, user__person_id__in=person_ids).values_list(
            "user__person_id", "points"
        )
    )
    rows = []
    for m in members:
        h = _hours(seconds.get(m.person_id, 0), bool(m.position))
        rows.append({"member": m, "points": points.get(m.person_id, 0), **h})
    return rows


def study_records_of(user, *, year: int, course=None) -> dict[int, StudyRecord]:
    qs = StudyRecord.objects.filter(user=user, year=year)
    if course is not None:
        qs = qs.filter(course=course)
    return {r.course_id: r for r in qs}


def attempt_states(user, quizzes) -> dict[int, str]:
    rows = QuizAttempt.objects.filter(user=user, quiz__in=quizzes).values_list("quiz_id", "submitted_at")
    return {qid: "submitted" if submitted else "started" for qid, submitted in rows}


def attempt_questions(attempt) -> list:
    """The attempt's questions in the member's own order."""
    from redgrid.learning.models import Question

    by_id = Question.objects.in_bulk(attempt.question_ids)
    questions = [by_id[i] for i in attempt.question_ids if i in by_id]
    for q in questions:
        q.choices = [(chr(ord("A") + i), text) for i, text in enumerate(q.options)]
    return questions


def attempt_of(user, quiz):
    return QuizAttempt.objects.filter(user=user, quiz=quiz).first()


def attempt_results(attempt) -> list[dict]:
    """A submitted attempt's questions with the member's answer, the right answer and the explanation."""
    from redgrid.learning.rules import is_correct

    rows = []
    for q in attempt_questions(attempt):
        given = attempt.answers.get(q.code, "")
        rows.append(
            {
                "question": q,
                "given": given,
                "correct": is_correct(q.kind, q.answer, given),
                "answer": q.answer,
                "explanation": q.explanation,
            }
        )
    return rows


def quizzes_open(at=None) -> QuerySet[Quiz]:
    at = at or timezone.now()
    return Quiz.objects.filter(opens_at__lte=at, closes_at__gt=at).order_by("kind", "opens_at")


def access_quiz(user, pk) -> Quiz:
    if not is_learner(user):
        raise Http404
    return get_or_404(Quiz.objects.all(), pk=pk)


def access_attempt(user, pk) -> QuizAttempt:
    return get_or_404(QuizAttempt.objects.select_related("quiz").filter(user=user), pk=pk)


def my_points(user, *, year: int, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    total = PointTotal.objects.filter(user=user, year=year).values_list("points", flat=True).first() or 0
    by_activity = dict(
        PointEntry.objects.filter(user=user, day=today)
        .values("activity")
        .annotate(s=Sum("points"))
        .values_list("activity", "s")
    )
    recent = list(PointEntry.objects.filter(user=user).order_by("-at", "-id")[:20])
    return {
        "year": year,
        "total": total,
        "today": sum(by_activity.values()),
        "today_by_activity": by_activity,
        "recent": recent,
    }


# --- leaderboards ---------------------------------------------------------------------------------

SCOPES = ("branch", "community", "street")
SCOPE_LABELS = {"branch": "支部", "community": "社区", "street": "街道"}


def member_nodes(user) -> dict:
    """The member's branch (the org itself, or the branch above a 党小组), community and street (of the
    residence grid, else of the branch's first anchored grid): what the yearly total is ranked under."""
    from redgrid.party.models import PartyMember, PartyOrg
    from redgrid.regions.models import Region

    nodes = {"branch_id": None, "community_id": None, "street_id": None}
    if not getattr(user, "person_id", None):
        return nodes
    pm = (
        PartyMember.objects.filter(person_id=user.person_id)
        .select_related("org", "person__household__building__grid")
        .first()
    )
    if pm is None:
        return nodes
    org = pm.org
    if org.kind not in PartyOrg.BRANCH_KINDS:
        prefixes = [org.path[: i * PartyOrg.steplen] for i in range(1, org.depth)]
        org = (
            PartyOrg.objects.filter(path__in=prefixes, kind__in=PartyOrg.BRANCH_KINDS)
            .order_by("-depth")
            .first()
            or org
        )
    nodes["branch_id"] = org.pk
    household = pm.person.household
    grid = household.building.grid if household else pm.org.regions.order_by("path").first()
    if grid is not None:
        prefixes = [grid.path[: i * Region.steplen] for i in range(1, grid.depth + 1)]
        for pk, level in Region.objects.filter(
            path__in=prefixes, level__in=["community", "street"]
        ).values_list("pk", "level"):
            nodes[f"{level}_id"] = pk
    return nodes


def own_node(user, scope: str):
    """The member's own branch, community or street (None if the account is not a member)."""
    from redgrid.party.models import PartyOrg
    from redgrid.regions.models import Region

    pk = member_nodes(user)[f"{scope}_id"]
    if pk is None:
        return None
    return (PartyOrg if scope == "branch" else Region).objects.get(pk=pk)


def leaderboard_node(user, scope: str, node_id: int | None):
    """The node a leaderboard is asked for: the member's own, or one inside the account's scope (else 404)."""
    from redgrid.party.models import PartyOrg
    from redgrid.party.selectors import party_orgs_visible_to
    from redgrid.regions.models import Region
    from redgrid.regions.selectors import regions_visible_to

    if scope not in SCOPES:
        raise ValidationError("scope 应为 branch（支部）、community（社区）或 street（街道）")
    own = own_node(user, scope)
    if node_id is None:
        if own is None:
            raise Http404
        return own
    if own is not None and own.pk == node_id:
        return own
    if scope == "branch":
        return get_or_404(party_orgs_visible_to(user).filter(kind__in=PartyOrg.BRANCH_KINDS), pk=node_id)
    level = Region.Level.COMMUNITY if scope == "community" else Region.Level.STREET
    return get_or_404(regions_visible_to(user).filter(level=level), pk=node_id)


def _ranked(node, scope: str, year: int):
    return PointTotal.objects.filter(year=year, **{f"{scope}_id": node.pk})


def leaderboard(node, scope: str, *, year: int, limit: int = 50) -> list[dict]:
    """Top members of a branch, community or street by yearly points: one query reading the top of the
    (year, node, -points) index of the yearly roll-up, joined to the account for the name."""
    rows = (
        _ranked(node, scope, year)
        .order_by("-points", "user_id")
        .values("user_id", "points", "user__display_name", "user__username")[:limit]
    )
    return [
        {
            "rank": i + 1,
            "user_id": r["user_id"],
            "name": r["user__display_name"] or r["user__username"],
            "points": r["points"],
        }
        for i, r in enumerate(rows)
    ]


def rank_of(user, node, scope: str, *, year: int) -> dict:
    """The member's own points and rank in the node (rank = 1 + members with more points)."""
    mine = PointTotal.objects.filter(user_id=user.pk, year=year).values_list("points", flat=True).first() or 0
    return {"points": mine, "rank": _ranked(node, scope, year).filter(points__gt=mine).count() + 1}


def contest_ranking(quiz: Quiz, *, limit: int = 50) -> dict:
    """知识竞赛 rankings: people by score then time used; branches by average score of their members."""
    attempts = QuizAttempt.objects.filter(quiz=quiz, submitted_at__isnull=False)
    people = list(
        attempts.order_by("-score", "seconds_used", "submitted_at").values(
            "user_id", "score", "seconds_used", "user__display_name", "user__username"
        )[:limit]
    )
    branches = list(
        attempts.filter(user__person__party_member__isnull=False)
        .values("user__person__party_member__org_id", "user__person__party_member__org__name")
        .annotate(n=Count("id"), total=Sum("score"))
        .order_by("-total", "user__person__party_member__org_id")[:limit]
    )
    return {
        "people": [
            {
                "rank": i + 1,
                "name": p["user__display_name"] or p["user__username"],
                "score": p["score"],
                "seconds": p["seconds_used"],
            }
            for i, p in enumerate(people)
        ],
        "branches": sorted(
            (
                {
                    "org_id": b["user__person__party_member__org_id"],
                    "name": b["user__person__party_member__org__name"],
                    "members": b["n"],
                    "average": round(b["total"] / b["n"], 1),
                }
                for b in branches
            ),
            key=lambda b: (-b["average"], b["org_id"]),
        ),
    }
