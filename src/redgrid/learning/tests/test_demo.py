"""The demo step and the learning_load command are idempotent."""

from datetime import date

import pytest
from django.core.management import call_command

from redgrid.demo import EXTRA_STEPS, DemoContext
from redgrid.learning.models import Course, PointEntry, Question, Quiz

pytestmark = pytest.mark.django_db


def test_the_demo_step_is_registered_and_idempotent(world):
    step = dict(EXTRA_STEPS)["党员教育：课程、题库与每日答题"]
    ctx = DemoContext(scale="street", log=lambda s: None, today=date(2026, 7, 1))
    step(ctx)
    counts = (
        Course.objects.count(),
        Question.objects.count(),
        Quiz.objects.count(),
        PointEntry.objects.count(),
    )
    step(ctx)
    assert counts == (
        Course.objects.count(),
        Question.objects.count(),
        Quiz.objects.count(),
        PointEntry.objects.count(),
    )
    assert counts[:3] == (28, 243, 2) and counts[3] > 0


def test_the_load_command_reports_and_can_run_twice(capsys):
    call_command("learning_load")
    call_command("learning_load")
    out = capsys.readouterr().out
    assert "课程新增 28" in out and "课程新增 0" in out
