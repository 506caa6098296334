"""Writes of 党员教育: points (ledger with caps), study heartbeats, quizzes. Every write is one transaction."""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.api import Conflict
from redgrid.core.rules import rule_value
from redgrid.learning import rules
from redgrid.learning.models import (
    Activity,
    Course,
    PointEntry,
    PointRule,
    PointTotal,
    Question,
    Quiz,
    QuizAttempt,
    StudyRecord,
)
from redgrid.learning.selectors import member_nodes

# --- points ---------------------------------------------------------------------------------------


def point_rule(activity: str) -> tuple[int, int | None, int | None]:
    """(points, daily cap, weekly cap): the rules-table row if the deployment has one, else the default."""
    row = PointRule.objects.filter(activity=activity).values_list("points", "daily_cap", "weekly_cap").first()
    return row if row is not None else rules.POINT_DEFAULTS[activity]


def points_award(*, user, activity: str, source_key: str, units: int = 1, at: datetime | None = None):
    """Append a ledger row for `activity`, cut to what the daily and weekly caps still allow.

    1. Lock the member's account row so concurrent awards for the same member run one after another
       (on SQLite the IMMEDIATE transaction already serialises writers).
    2. A `source_key` already in the ledger means a repeated request: nothing happens.
    3. Sum today's and this week's points for the activity and cap the award (rules.md §8).
    4. Insert the row; the unique `source_key` turns any race that slipped past step 2 into a no-op.
    5. Add the points to the member's yearly total (the leaderboard roll-up) in the same transaction.
    Returns the PointEntry, or None when nothing was awarded.
    """
    if activity not in Activity.values:
        raise ValueError(f"unknown activity {activity}")
    at = at or timezone.now()
    day = timezone.localdate(at)
    with transaction.atomic():
        get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
        if PointEntry.objects.filter(source_key=source_key).exists():
            return None
        per, daily_cap, weekly_cap = point_rule(activity)
        mine = PointEntry.objects.filter(user=user, activity=activity)
        today = mine.filter(day=day).aggregate(s=Sum("points"))["s"] or 0
        week = 0
        if weekly_cap is not None:
            week = (
                mine.filter(day__gte=rules.week_start(day), day__lte=day).aggregate(s=Sum("points"))["s"] or 0
            )
        points = rules.capped(per * units, today=today, week=week, daily_cap=daily_cap, weekly_cap=weekly_cap)
        if points <= 0:
            return None
        try:
            with transaction.atomic():
                entry = PointEntry.objects.create(
                    user=user, activity=activity, points=points, at=at, day=day, source_key=source_key
                )
        except IntegrityError:
            return None
        total, _ = PointTotal.objects.get_or_create(user=user, year=day.year)
        PointTotal.objects.filter(pk=total.pk).update(
            points=F("points") + points, updated_at=at, **member_nodes(user)
        )
    return entry


def login_award(*, user, at: datetime | None = None):
    """The daily login point (登录 1 分), keyed by the day so it counts once."""
    at = at or timezone.now()
    return points_award(
        user=user, activity=Activity.LOGIN, source_key=f"login:{user.pk}:{timezone.localdate(at)}", at=at
    )


# --- study ----------------------------------------------------------------------------------------


# No course video runs a day; a larger position is a broken or hostile client.
MAX_POSITION = 24 * 3600


def study_heartbeat(
    *,
    user,
    course: Course,
    seconds: int,
    visible: bool,
    position: int | None = None,
    at: datetime | None = None,
) -> StudyRecord:
    """Count real study time from the page's heartbeats.

    1. Lock (or create) the member's record of the course for this year.
    2. `seconds` is the visible time the page saw since its previous beat; it counts, but at most the wall
       time since the previous beat on the server and at most `learning.heartbeat_max_gap` (a page left
       without beats means the member was away). With no running clock (first beat, or after the page was
       hidden) a beat only starts the clock.
    3. `visible=False` (sent when the page is hidden) stops the clock, so the hidden interval can never be
       claimed by a later beat.
    4. Reaching the course's minutes completes it and awards the course points (once per course and year).
    5. A video's playback `position` is kept so the member resumes where they stopped.
    """
    at = at or timezone.now()
    year = timezone.localdate(at).year
    seconds = max(int(seconds or 0), 0)
    with transaction.atomic():
        record, _ = StudyRecord.objects.get_or_create(
            user=user, course=course, year=year, defaults={"started_at": at}
        )
        record = StudyRecord.objects.select_for_update().get(pk=record.pk)
        counted = 0
        if record.last_beat_at is not None:
            wall = max((at - record.last_beat_at).total_seconds(), 0)
            counted = int(min(seconds, wall, rule_value("learning.heartbeat_max_gap")))
        record.seconds += counted
        record.last_beat_at = at if visible else None
        if position is not None:
            record.position = min(max(int(position), 0), MAX_POSITION)
        just_completed = record.completed_at is None and record.seconds >= course.minutes * 60
        if just_completed:
            record.completed_at = at
        record.save(update_fields=["seconds", "last_beat_at", "completed_at", "position"])
        if just_completed:
            points_award(
                user=user, activity=course.kind, source_key=f"course:{user.pk}:{course.pk}:{year}", at=at
            )
    return record


# --- quizzes --------------------------------------------------------------------------------------


def _local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def quiz_ensure_daily(day, *, weekly: bool = False) -> Quiz:
    """Today's daily quiz (or this week's weekly quiz), created on first use with a set of questions
    drawn deterministically from the bank (the same day always gives the same questions)."""
    if weekly:
        start = rules.week_start(day)
        key, title = f"weekly-{rules.week_key(day)}", f"每周答题（{rules.week_key(day)}）"
        opens, closes, count = start, start + timedelta(days=7), rule_value("learning.weekly_question_count")
        kind = Quiz.Kind.WEEKLY
    else:
        key, title = f"daily-{day.isoformat()}", f"每日答题（{day:%m月%d日}）"
        opens, closes, count = day, day + timedelta(days=1), rule_value("learning.daily_question_count")
        kind = Quiz.Kind.DAILY
    quiz = Quiz.objects.filter(key=key).first()
    if quiz is not None:
        return quiz
    with transaction.atomic():
        quiz, created = Quiz.objects.get_or_create(
            key=key,
            defaults={
                "kind": kind,
                "title": title,
                "opens_at": _local_midnight(opens),
                "closes_at": _local_midnight(closes),
                "question_count": count,
                "randomised": True,
            },
        )
        if created:
            ids = sorted(Question.objects.filter(is_active=True).values_list("pk", flat=True))
            rng = random.Random(key)
            quiz.questions.set(rng.sample(ids, min(count, len(ids))))
    return quiz


def quiz_create(
    *,
    actor,
    kind: str,
    title: str,
    key: str,
    opens_at,
    closes_at,
    question_count: int,
    time_limit_seconds: int | None = None,
    randomised: bool = True,
    category: str = "",
) -> Quiz:
    """A special quiz, exam or contest; questions drawn from the bank (optionally one category)."""
    with transaction.atomic():
        quiz = Quiz.objects.create(
            kind=kind,
            title=title,
            key=key,
            opens_at=opens_at,
            closes_at=closes_at,
            question_count=question_count,
            time_limit_seconds=time_limit_seconds,
            randomised=randomised,
            category=category,
        )
        bank = Question.objects.filter(is_active=True)
        if category:
            bank = bank.filter(category=category)
        ids = sorted(bank.values_list("pk", flat=True))
        quiz.questions.set(random.Random(key).sample(ids, min(question_count, len(ids))))
        audit.record("learning.quiz_create", quiz, actor=actor, summary={"kind": kind, "questions": len(ids)})
    return quiz


def _period(quiz: Quiz, at: datetime) -> str:
    day = timezone.localdate(at)
    if quiz.kind == Quiz.Kind.DAILY:
        return day.isoformat()
    if quiz.kind == Quiz.Kind.WEEKLY:
        return rules.week_key(day)
    return quiz.key


def quiz_start(*, user, quiz: Quiz, at: datetime | None = None) -> QuizAttempt:
    """Start (or resume an unsubmitted) attempt; the question order is shuffled per member if randomised."""
    at = at or timezone.now()
    if not (quiz.opens_at <= at < quiz.closes_at):
        state = "尚未开始" if at < quiz.opens_at else "已结束"
        raise Conflict(
            f"「{quiz.title}」{state}，开放时间 {timezone.localtime(quiz.opens_at):%Y-%m-%d %H:%M}"
            f" 至 {timezone.localtime(quiz.closes_at):%Y-%m-%d %H:%M}"
        )
    with transaction.atomic():
        existing = QuizAttempt.objects.select_for_update().filter(user=user, quiz=quiz).first()
        if existing is not None:
            if existing.submitted_at is not None:
                raise Conflict(f"您已完成「{quiz.title}」（得分 {existing.score}），不能重复作答")
            return existing
        ids = list(quiz.questions.order_by("code").values_list("pk", flat=True))
        if quiz.randomised:
            random.Random(f"{quiz.key}:{user.pk}").shuffle(ids)
        try:
            with transaction.atomic():
                return QuizAttempt.objects.create(
                    user=user,
                    quiz=quiz,
                    kind=quiz.kind,
                    period=_period(quiz, at),
                    question_ids=ids,
                    started_at=at,
                )
        except IntegrityError as exc:
            raise Conflict(f"本期{quiz.get_kind_display()}您已作答，不能重复作答") from exc


QUIZ_ACTIVITY = {
    Quiz.Kind.DAILY: Activity.QUIZ_DAILY,
    Quiz.Kind.WEEKLY: Activity.QUIZ_WEEKLY,
    Quiz.Kind.SPECIAL: Activity.QUIZ_SPECIAL,
    Quiz.Kind.CONTEST: Activity.CONTEST,
}


def quiz_submit(*, user, attempt: QuizAttempt, answers: dict, at: datetime | None = None) -> dict:
    """Grade an attempt and award points.

    1. Lock the attempt; a submitted attempt cannot be submitted again (409).
    2. With a time limit, answers arriving after started_at + limit (+ a small network grace) are refused:
       the attempt stays unsubmitted and, being past its deadline, can never be submitted.
    3. Grade every question (`rules.is_correct`) and store answers, correct count and the 0–100 score.
    4. Award the activity's points per correct answer under its caps (keyed by the attempt, so once).
    Returns {"attempt", "results": [{question, given, correct, answer, explanation}], "points"}.
    """
    at = at or timezone.now()
    with transaction.atomic():
        attempt = QuizAttempt.objects.select_for_update(of=("self",)).select_related("quiz").get(pk=attempt.pk, user=user)
        quiz = attempt.quiz
        if attempt.submitted_at is not None:
            raise Conflict(
                f"本次答题已于 {timezone.localtime(attempt.submitted_at):%H:%M} 提交，不能重复提交"
            )
        limit = quiz.time_limit_seconds
        if limit and at > attempt.started_at + timedelta(
            seconds=limit + rule_value("learning.submit_grace_seconds")
        ):
            raise Conflict(f"已超过答题时限（限时 {limit // 60} 分 {limit % 60} 秒），答案未被接受")
        if at >= quiz.closes_at + timedelta(seconds=rule_value("learning.submit_grace_seconds")):
            raise Conflict(f"「{quiz.title}」已结束，答案未被接受")
        questions = {q.pk: q for q in Question.objects.filter(pk__in=attempt.question_ids)}
        answers = {str(k): v for k, v in (answers or {}).items()}
        results, stored, correct = [], {}, 0
        for qid in attempt.question_ids:
            q = questions.get(qid)
            if q is None:
                continue
            given = answers.get(q.code, answers.get(str(q.pk)))
            ok = rules.is_correct(q.kind, q.answer, given)
            correct += ok
            stored[q.code] = rules.normalise_answer(q.kind, given)
            results.append(
                {
                    "question": q,
                    "given": stored[q.code],
                    "correct": ok,
                    "answer": q.answer,
                    "explanation": q.explanation,
                }
            )
        attempt.answers = stored
        attempt.correct = correct
        attempt.score = round(100 * correct / len(results)) if results else 0
        attempt.submitted_at = at
        attempt.seconds_used = int((at - attempt.started_at).total_seconds())
        attempt.save(update_fields=["answers", "correct", "score", "submitted_at", "seconds_used"])
        points = 0
        activity = QUIZ_ACTIVITY.get(quiz.kind)
        if activity and correct:
            entry = points_award(
                user=user, activity=activity, source_key=f"quiz:{attempt.pk}", units=correct, at=at
            )
            points = entry.points if entry else 0
    return {"attempt": attempt, "results": results, "points": points}


# --- reminders ------------------------------------------------------------------------------------


def study_reminders_send(*, today) -> int:
    """Remind members whose 学时 lag behind the year's pro-rata target (rules.md §8), once a month.

    1. Pro-rata target = yearly target × share of the year gone (32 or 56 学时, committee = has a position).
    2. Sum each member account's study seconds this year in one grouped query.
    3. Create one inbox notification per lagging member, keyed by the month so reruns add nothing.
    """
    from django.contrib.auth import get_user_model

    from redgrid.core.models import Notification

    kind = f"learning.hours:{today:%Y-%m}"
    share = (today.timetuple().tm_yday) / 365
    per_hour = rule_value("learning.minutes_per_hour") * 60
    targets = {False: rule_value("learning.hours_member"), True: rule_value("learning.hours_committee")}
    seconds = dict(
        StudyRecord.objects.filter(year=today.year)
        .values("user_id")
        .annotate(s=Sum("seconds"))
        .values_list("user_id", "s")
    )
    already = set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))
    accounts = (
        get_user_model()
        .objects.filter(person__party_member__isnull=False, is_active=True)
        .exclude(pk__in=already)
        .values_list("pk", "person__party_member__position")
    )
    rows = []
    for pk, position in accounts.iterator():
        target = targets[bool(position)]
        hours = seconds.get(pk, 0) / per_hour
        if hours < target * share:
            rows.append(
                Notification(
                    recipient_id=pk,
                    kind=kind,
                    link="/learning/",
                    title="学习学时提醒",
                    body=f"您今年已学习 {hours:.1f} 学时，全年目标 {target} 学时（按进度此时应达 {target * share:.1f} 学时），"
                    "请抽空到“学习教育”学习。",
                )
            )
    with transaction.atomic():
        Notification.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
