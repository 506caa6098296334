"""Background tasks of the platform core, and the registry of periodic tasks run by `redgrid run_worker`."""

from django_tasks import task

from redgrid.core import audit

# (task, interval in seconds); apps add theirs with `every`.
PERIODIC: list[tuple[object, int]] = []


def every(seconds: int):
    def register(task_obj):
        if all(t is not task_obj for t, _ in PERIODIC):
            PERIODIC.append((task_obj, seconds))
        return task_obj

    return register


@every(60)
@task()
def audit_seal_task() -> int:
    """Seal new audit rows into the hash chain (see core.audit.seal)."""
    block = audit.seal()
    return block.row_count if block else 0
