"""E-mail verification tokens: Django's signed, expiring tokens, spent once verified."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Valid until the address is verified or changed (PASSWORD_RESET_TIMEOUT)."""

    key_salt = "clearinghouse.accounts.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp) -> str:
        profile = getattr(user, "profile", None)
        verified = profile.email_verified_at if profile else None
        return f"{user.pk}{user.email}{verified}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()
