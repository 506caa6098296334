"""Writes on accounts that are not plain admin edits: issuing and revoking API keys (API 密钥)."""

import secrets

from django.db import transaction
from django.utils import timezone

from redgrid.accounts.models import ApiKey
from redgrid.core import audit

KEY_PREFIX = "rg311_"


def api_key_issue(*, actor, key: ApiKey, plain: str | None = None) -> str:
    """签发: give an unsaved (or saved) key a fresh secret; returns the plain key, shown only once.

    `plain` fixes the secret (the demo key); otherwise 32 random bytes are drawn.
    """
    plain = plain or KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key.set_key(plain)
        key.save()
        audit.record(
            "accounts.apikey.issue", key, actor=actor, summary={"prefix": key.prefix, "owner": key.owner}
        )
    return plain


def api_key_revoke(*, actor, key: ApiKey) -> bool:
    """吊销: deactivate the key at once (appeals it filed keep referring to it). False if already revoked."""
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if not key.is_active:
            return False
        key.is_active, key.revoked_at = False, timezone.now()
        key.save(update_fields=["is_active", "revoked_at"])
        audit.record("accounts.apikey.revoke", key, actor=actor, summary={"prefix": key.prefix})
    return True


def api_key_authenticate(plain: str) -> ApiKey | None:
    """The active key with this secret, or None; records the last use at most once a minute."""
    if not plain:
        return None
    key = ApiKey.objects.select_related("street").filter(key_hash=ApiKey.hash_key(plain)).first()
    if key is None or not key.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
