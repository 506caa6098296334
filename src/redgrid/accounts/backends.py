import re

from django.contrib.auth.backends import ModelBackend

from redgrid.core.crypto import lookup_hash, normalise

PHONE_RE = re.compile(r"^(\+86)?1[3-9]\d{9}$")


def resolve_login(identifier: str):
    """The account an identifier (username or phone number) names, or None."""
    from redgrid.accounts.models import User

    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if PHONE_RE.match(identifier.replace(" ", "")):
        user = User.objects.filter(phone_hash=lookup_hash(normalise("phone", identifier))).first()
        if user:
            return user
    return User.objects.filter(username=identifier).first()


def axes_username(request, credentials) -> str:
    """Lock by account, whether the attacker types its username or its phone number."""
    identifier = (credentials or {}).get("username", "") if credentials else request.POST.get("username", "")
    user = resolve_login(identifier)
    return user.username if user else (identifier or "")


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = resolve_login(username)
        if user is None:
            # Run the hasher anyway so response time does not reveal which accounts exist.
            from redgrid.accounts.models import User

            User().set_password(password or "")
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
