"""Periodic tasks of 党员教育: the day's quizzes exist before members arrive; monthly 学时 reminders."""

from django.utils import timezone
from django_tasks import task

from redgrid.core.tasks import every


@every(3600)
@task()
def learning_quizzes_task() -> str:
    from redgrid.learning.services import quiz_ensure_daily

    today = timezone.localdate()
    quiz_ensure_daily(today)
    quiz_ensure_daily(today, weekly=True)
    return today.isoformat()


@every(6 * 3600)
@task()
def learning_reminders_task() -> int:
    from redgrid.learning.services import study_reminders_send

    return study_reminders_send(today=timezone.localdate())
