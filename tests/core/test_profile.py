"""Who may take part: signed in, active and with a verified e-mail address."""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from clearinghouse.core.accounts import is_verified
from clearinghouse.core.models import Profile


def test_anonymous_is_not_verified():
    assert not is_verified(AnonymousUser())


def test_account_without_profile_is_not_verified(participant):
    assert not is_verified(participant)


def test_unverified_profile_is_not_verified(participant):
    Profile.objects.create(user=participant)
    participant.refresh_from_db()
    assert not is_verified(participant)


def test_verified_profile_takes_part(participant):
    Profile.objects.create(user=participant, email_verified_at=timezone.now())
    participant.refresh_from_db()
    assert is_verified(participant)


def test_inactive_verified_account_does_not(participant):
    Profile.objects.create(user=participant, email_verified_at=timezone.now())
    participant.is_active = False
    participant.save()
    assert not is_verified(participant)


def test_secretariat_takes_part(secretariat):
    assert is_verified(secretariat)


def test_name_is_private_by_default(participant):
    assert Profile.objects.create(user=participant).show_name is False
