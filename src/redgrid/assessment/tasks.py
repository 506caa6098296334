"""Periodic work of the assessment, run by `redgrid run_worker`."""

from django_tasks import task

from redgrid.core.tasks import every


@every(300)
@task()
def assessment_fold_task() -> dict:
    """Fold the modules' changes into the daily roll-ups (assessment.rollup.fold)."""
    from redgrid.assessment import rollup

    return {name: stats["changed"] for name, stats in rollup.fold().items()}


@every(3600)
@task()
def assessment_digest_task() -> int:
    """Monday from 08:00: last week's 考核周报 to every leader, once (assessment.digest)."""
    from redgrid.assessment import digest

    return digest.send_weekly()
