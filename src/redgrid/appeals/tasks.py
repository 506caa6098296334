"""Periodic work of 接诉即办, run by `redgrid run_worker`."""

from django_tasks import task

from redgrid.core.tasks import every


@every(60)
@task()
def appeals_sweep_task() -> dict:
    """Mark and escalate overdue report-ins and resolutions (see appeals.sweep)."""
    from redgrid.appeals.sweep import sweep

    return sweep()
