"""Periodic jobs of the dashboards part, run by `redgrid run_worker`."""

from django_tasks import task

from redgrid.core.tasks import every


@every(3600)
@task()
def assessment_warnings_task() -> dict:
    """未诉先办: detect surging topics per community and raise the proactive tasks (hotspots.run_warnings)."""
    from redgrid.assessment.hotspots import run_warnings

    return run_warnings()


@every(24 * 3600)
@task()
def assessment_hotspots_task() -> int:
    """每月一题 of the current month for every street and community, and the grids' population profiles."""
    from django.utils import timezone

    from redgrid.assessment.allocation import refresh_profiles
    from redgrid.assessment.hotspots import compute_all

    refresh_profiles()
    return compute_all(timezone.localdate().replace(day=1))
