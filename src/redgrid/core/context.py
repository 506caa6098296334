"""Who is acting and from where, for the audit trail, without threading `request` through services."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    ip: str | None


_current: ContextVar[Actor | None] = ContextVar("redgrid_actor", default=None)


def set_actor(user, ip: str | None):
    user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
    name = user.get_username() if user_id else ""
    return _current.set(Actor(user_id, name, ip))


def reset_actor(token) -> None:
    _current.reset(token)


def current_actor() -> Actor | None:
    return _current.get()


def client_ip(request) -> str | None:
    # Behind a reverse proxy, the proxy must set REMOTE_ADDR (e.g. uwsgi/gunicorn with proxy headers);
    # trusting X-Forwarded-For here would let any client forge the audited IP.
    return request.META.get("REMOTE_ADDR") or None
