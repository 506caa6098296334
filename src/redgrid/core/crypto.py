"""Encryption at rest for sensitive personal fields (PIPL 第28条, rules.md §10).

A sensitive value is stored three ways: Fernet ciphertext (reversible only with the key from the
environment), an HMAC hash (exact lookup without decrypting every row) and its last 4 characters
(display in masked lists). Plaintext is only produced by `decrypt`, which callers reach through an
audited reveal service.
"""

import hashlib
import hmac
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(value: str) -> str:
    if value == "":
        return ""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if token == "":
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("无法解密：密钥不匹配或数据被篡改") from exc


def encrypt_bytes(data: bytes) -> bytes:
    """A file kept only until a background job has read it (e.g. an uploaded roster full of ID numbers)."""
    return _fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(bytes(token))
    except InvalidToken as exc:
        raise ValueError("无法解密：密钥不匹配或数据被篡改") from exc


def lookup_hash(value: str) -> str:
    if value == "":
        return ""
    return hmac.new(settings.FIELD_LOOKUP_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def normalise(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == "id_number":
        return value.upper()
    if kind == "phone":
        return value.replace(" ", "").replace("-", "").removeprefix("+86")
    return value


def mask(last4: str, *, total: int = 11) -> str:
    if not last4:
        return ""
    return "*" * max(total - len(last4), 3) + last4


class Sensitive:
    """Descriptor for a sensitive text field backed by `<name>_enc`, `<name>_hash`, `<name>_last4`.

    Reading the attribute gives the masked form; assigning plaintext fills the three columns. The
    plaintext is never kept on the instance, so a template cannot show it by accident.
    """

    def __init__(self, kind: str, *, masked_length: int = 11):
        self.kind = kind
        self.masked_length = masked_length

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return mask(getattr(obj, f"{self.name}_last4"), total=self.masked_length)

    def __set__(self, obj, value):
        value = normalise(self.kind, value or "")
        setattr(obj, f"{self.name}_enc", encrypt(value))
        setattr(obj, f"{self.name}_hash", lookup_hash(value))
        setattr(obj, f"{self.name}_last4", value[-4:])


class SensitiveList:
    """Descriptor for an encrypted list of tags (e.g. 独居老人, 低保): no hash, no partial display."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return "已加密" if getattr(obj, f"{self.name}_enc") else ""

    def __set__(self, obj, value):
        items = sorted({str(v).strip() for v in (value or []) if str(v).strip()})
        setattr(obj, f"{self.name}_enc", encrypt(json.dumps(items, ensure_ascii=False)) if items else "")


def reveal_value(obj, name: str):
    """The plaintext of a sensitive attribute. Call only from an audited reveal service."""
    token = getattr(obj, f"{name}_enc")
    descriptor = getattr(type(obj), name, None)
    if isinstance(descriptor, SensitiveList):
        return json.loads(decrypt(token)) if token else []
    return decrypt(token)
