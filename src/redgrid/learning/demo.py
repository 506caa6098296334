"""Demo content of 党员教育: the team's courses and questions, the day's quizzes, some study and points."""

from datetime import datetime, time, timedelta

from django.utils import timezone


def build(ctx) -> None:
    from redgrid.accounts.models import User
    from redgrid.learning.loader import load_content
    from redgrid.learning.models import Course
    from redgrid.learning.services import points_award, quiz_ensure_daily

    counts = load_content()
    ctx.log(f"  课程新增 {counts['courses_created']}，试题新增 {counts['questions_created']}")
    quiz_ensure_daily(ctx.today)
    quiz_ensure_daily(ctx.today, weekly=True)
    # A few days of activity for the demo member so "my points" and the leaderboard are not empty;
    # source keys make the step idempotent.
    member = User.objects.filter(username="member").first()
    if member is None:
        return
    courses = list(Course.objects.order_by("id")[:6])
    for offset in range(1, 6):
        day = ctx.today - timedelta(days=offset)
        at = timezone.make_aware(datetime.combine(day, time(20, 0)))
        points_award(user=member, activity="login", source_key=f"login:{member.pk}:{day}", at=at)
        if courses:
            course = courses[offset % len(courses)]
            points_award(
                user=member,
                activity="article",
                source_key=f"demo:course:{member.pk}:{course.pk}:{day}",
                at=at,
            )
