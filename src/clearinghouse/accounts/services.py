"""Writes of participant accounts: sign-up, e-mail verification, profile."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from clearinghouse.core.models import Profile

from .tokens import email_verification_token

log = logging.getLogger(__name__)


def verification_link(*, user, base_url: str) -> str:
    """The absolute link that verifies the user's e-mail address."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)
    return base_url + reverse("accounts:verify", args=[uid, token])


def verification_send(*, user, base_url: str) -> None:
    """E-mail the verification link, in the active language, after commit."""
    language = translation.get_language()
    link = verification_link(user=user, base_url=base_url)

    def send() -> None:
        with translation.override(language):
            send_mail(
                subject=_("Confirm your e-mail address"),
                message=render_to_string(
                    "accounts/verify_email.txt", {"user": user, "link": link}
                ),
                from_email=None,
                recipient_list=[user.email],
            )

    transaction.on_commit(send)


@transaction.atomic
def participant_signup(
    *,
    username: str,
    email: str,
    password: str,
    stakeholder_group: str,
    country,
    organization: str = "",
    show_name: bool = False,
    base_url: str,
):
    """Create an account and its profile, and send the verification e-mail."""
    User = get_user_model()
    email = User.objects.normalize_email(email).strip()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("An account already uses this e-mail address.")}
        )
    user = User(username=username, email=email)
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.save()
    profile = Profile(
        user=user,
        stakeholder_group=stakeholder_group,
        country=country,
        organization=organization,
        show_name=show_name,
    )
    profile.full_clean()
    profile.save()
    verification_send(user=user, base_url=base_url)
    log.info("accounts.signup", extra={"user": user.pk})
    return user


@transaction.atomic
def email_verify(*, user) -> Profile:
    """Mark the user's e-mail address as verified."""
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    if profile.email_verified_at is None:
        profile.email_verified_at = timezone.now()
        profile.full_clean()
        profile.save()
    return profile


@transaction.atomic
def profile_update(
    *,
    user,
    first_name: str,
    last_name: str,
    stakeholder_group: str,
    country,
    organization: str,
    show_name: bool,
) -> Profile:
    """Change the participant's name and profile."""
    user.first_name, user.last_name = first_name, last_name
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name"])
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    profile.stakeholder_group = stakeholder_group
    profile.country = country
    profile.organization = organization
    profile.show_name = show_name
    profile.full_clean()
    profile.save()
    return profile
