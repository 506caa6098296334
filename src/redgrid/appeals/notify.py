"""Inbox notifications for appeals, sent after commit, plus pluggable outside senders (SMS, WeChat).

`SENDERS` holds callables `(user_ids, title, body, link)`; the default only logs, so a deployment
plugs an SMS or WeChat gateway in without touching the services.
"""

import logging

from django.db import transaction

from redgrid.core.models import Notification

log = logging.getLogger("redgrid.notify")


def log_sender(user_ids, title, body, link):
    log.info("notify %s: %s %s", sorted(user_ids), title, link)


SENDERS: list = [log_sender]


def send(user_ids, *, title: str, body: str = "", link: str = "", kind: str = "appeal") -> None:
    """Queue one inbox entry per account for after the surrounding transaction commits."""
    ids = {i for i in user_ids if i}
    if not ids:
        return

    def deliver():
        Notification.objects.bulk_create(
            [
                Notification(recipient_id=i, title=title[:200], body=body, link=link, kind=kind)
                for i in sorted(ids)
            ]
        )
        for sender in SENDERS:
            try:
                sender(ids, title, body, link)
            except Exception:  # an SMS gateway outage must not break the workflow
                log.exception("notification sender %r failed", sender)

    transaction.on_commit(deliver)


def unit_handler_ids(unit_ids) -> set[int]:
    from redgrid.accounts.models import RoleGrant

    return set(
        RoleGrant.objects.filter(role="unit", unit_id__in=list(unit_ids)).values_list("user_id", flat=True)
    )


def street_admin_ids(street) -> set[int]:
    """Street administrators of the street (grants on the street itself or above it, except admins)."""
    from redgrid.accounts.models import RoleGrant
    from redgrid.regions.models import Region

    if street is None:
        return set()
    paths = Region.prefixes(street.path)
    return set(
        RoleGrant.objects.filter(role="street", region__path__in=paths).values_list("user_id", flat=True)
    )


def reporter_ids(appeal) -> set[int]:
    ids = set(appeal.followers.values_list("user_id", flat=True))
    if appeal.reporter_id:
        ids.add(appeal.reporter_id)
    return ids
