from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """Staff passwords mix at least three of: lower case, upper case, digits, symbols (等保 2.0)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        classes = sum(
            [
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )
        if classes < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"密码至少 8 位，且包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class MinimumLengthValidator:
    """At least `min_length` characters, with a Chinese message (Django's plural form is untranslated)."""

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短，至少需要 {self.min_length} 个字符。", code="password_too_short")

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符。"
