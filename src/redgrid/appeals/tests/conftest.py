"""Helpers for the appeals tests: appeals in any state without walking the whole workflow."""

from datetime import timedelta

import pytest
from django.utils import timezone

from redgrid.appeals.models import Appeal, AppealUnitTask, Status, TaskRole

# Smallest valid files of each accepted type (content sniffing looks at the first bytes only).
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 60
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 60


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_appeal(world):
    """`make_appeal(status=..., grid="A1", reporter="resident", unit="chengguan")`: an appeal row in that
    state, with an owner unit and its (reported-in) lead task when the state needs one."""

    def _make(status=Status.REGISTERED, *, grid="A1", reporter="resident", unit="chengguan", **fields):
        region = world.regions[grid] if grid else None
        street_key = "dongguan" if grid == "C1" else "guangwen"
        now = timezone.now()
        appeal = Appeal.objects.create(
            status=status,
            content=fields.pop("content", "路灯不亮了，晚上很黑"),
            grid=region,
            street=world.regions[street_key],
            category=fields.pop("category", world.categories["lights"]),
            reporter=world.user(reporter) if reporter else None,
            resolve_due_at=fields.pop("resolve_due_at", now + timedelta(days=7)),
            owner_unit=world.units[unit]
            if status in ("dispatched", "in_progress", "replied", "closed")
            else None,
            **fields,
        )
        if appeal.owner_unit_id:
            AppealUnitTask.objects.create(
                appeal=appeal,
                unit=appeal.owner_unit,
                role=TaskRole.LEAD,
                dispatched_at=now,
                due_at=now + timedelta(hours=24),
                reported_at=None if status == "dispatched" else now,
                ended_at=now if status == "closed" else None,
            )
        return appeal

    return _make
