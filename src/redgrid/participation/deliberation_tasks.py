"""Background work of 议事厅 and 信息发布 (run by `redgrid run_worker`; inline in tests)."""

from django_tasks import task

from redgrid.core.tasks import every


@task()
def article_push_task(article_id: int) -> int:
    """Freeze a published article's audience and push it to their inboxes (articles.article_push)."""
    from redgrid.participation.articles import article_push

    return article_push(article_id)


@task()
def notice_push_task(notice_id: int) -> int:
    """Push a published notice to the inboxes of its residents and members (notices.notice_push)."""
    from redgrid.participation.notices import notice_push

    return notice_push(notice_id)


@every(600)
@task()
def topics_announce_phases_task() -> int:
    """Record and announce topic phase changes brought by the dates (deliberation.topics_announce_phases)."""
    from redgrid.participation.deliberation import topics_announce_phases

    return topics_announce_phases()
