"""Periodic work of participation (run by `redgrid run_worker`)."""

from django_tasks import task

from redgrid.core.tasks import every


@every(3600)
@task()
def wishes_expire_claims_task() -> int:
    """Return wish claims past their deadline to the board (see services.wishes_expire_claims)."""
    from redgrid.participation.services import wishes_expire_claims

    return wishes_expire_claims()
