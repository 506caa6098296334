"""The audited reveal of a sensitive field (PIPL 第28条; rules.md §10)."""

from django.core.exceptions import PermissionDenied

from redgrid.core import audit
from redgrid.core.access import scope_of
from redgrid.core.crypto import reveal_value

# Roles whose work needs full values (e.g. calling a resident back, verifying identity at a visit).
REVEAL_ROLES = ("gridworker", "community", "street", "branch", "admin")


def sensitive_reveal(*, actor, obj, field: str):
    """Return the plaintext of `obj.<field>` and write an audit row; the caller has scope-checked obj."""
    labels = getattr(obj, "SENSITIVE_FIELDS", {})
    if field not in labels:
        raise PermissionDenied("该字段不可查看")
    if not scope_of(actor).has_role(*REVEAL_ROLES):
        raise PermissionDenied("您的角色无权查看完整敏感信息")
    value = reveal_value(obj, field)
    audit.record("reveal", obj, actor=actor, summary={"field": field, "label": labels[field]})
    return value
