"""Participant accounts: sign-up with e-mail verification, sign-in lockout,
password reset, profile."""

import re
import time

import pytest
from django.contrib.auth.models import User
from django.core import mail, signing

from clearinghouse.core.accounts import is_verified

pytestmark = pytest.mark.django_db


def guard(seconds_ago: float = 10) -> dict:
    return {
        "started": signing.dumps(
            time.time() - seconds_ago, salt="clearinghouse.forms.started"
        ),
        "website": "",
    }


def signup_data(**changes) -> dict:
    return {
        "username": "amina",
        "email": "amina@example.org",
        "password1": "a-Long-pass-phrase-42",
        "password2": "a-Long-pass-phrase-42",
        "stakeholder_group": "academia",
        "country": "",
        "organization": "University of Dakar",
        **guard(),
        **changes,
    }


def _link(body: str) -> str:
    return re.search(r"https?://testserver(/\S+/)", body).group(1)


def test_sign_up_sends_a_link_that_verifies_once(
    client, reference_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/fr/accounts/signup/", signup_data())
    assert response.status_code == 302
    user = User.objects.get(username="amina")
    assert user.profile.organization == "University of Dakar"
    assert not user.profile.show_name  # names are private by default
    assert not is_verified(user)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Confirmez votre adresse électronique"
    link = _link(mail.outbox[0].body)
    assert client.get(link).status_code == 302
    user.refresh_from_db()
    assert is_verified(user)
    # The token is spent once the address is verified.
    assert client.get(link).status_code == 400


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password2": "something-else-42"}, "The two passwords differ."),
        ({"password1": "123", "password2": "123"}, "too short"),
        ({"email": "not-an-address"}, "valid email"),
        ({"stakeholder_group": "aliens"}, "Select a valid choice"),
        ({"website": "http://spam.example/"}, "automated"),
    ],
)
def test_bad_sign_ups_are_refused_with_a_message(
    client, reference_data, changes, message
):
    response = client.post("/en/accounts/signup/", signup_data(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(username="amina").exists()
    assert not mail.outbox


def test_an_address_or_name_already_used_is_refused(client, reference_data):
    User.objects.create_user("someone", "amina@example.org", "x-Long-pass-phrase-42")
    response = client.post("/en/accounts/signup/", signup_data())
    assert response.status_code == 400
    assert "already uses this e-mail address" in response.content.decode()
    User.objects.create_user("Amina2", "other@example.org", "x-Long-pass-phrase-42")
    response = client.post(
        "/en/accounts/signup/",
        signup_data(username="amina2", email="new@example.org"),
    )
    assert "This user name is taken." in response.content.decode()


def test_a_forged_verification_link_is_refused(client, participant):
    assert client.get("/en/accounts/verify/MQ/forged-token/").status_code == 400
    assert client.get("/en/accounts/verify/%FF%FF/x/").status_code == 400


def test_repeated_failed_sign_ins_lock_the_account(client, participant, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(3):
        response = client.post(
            "/en/accounts/login/", {"username": "reader", "password": "wrong"}
        )
    response = client.post(
        "/en/accounts/login/",
        {"username": "reader", "password": "x-Long-pass-phrase-42"},
    )
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_correct_sign_in_works_and_resets_failures(client, participant):
    client.post("/en/accounts/login/", {"username": "reader", "password": "wrong"})
    response = client.post(
        "/en/accounts/login/",
        {"username": "reader", "password": "x-Long-pass-phrase-42"},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(participant.pk)


def test_password_reset_through_the_emailed_link(client, participant):
    response = client.post(
        "/en/accounts/password/reset/", {"email": "reader@example.org"}
    )
    assert response.status_code == 302
    link = _link(mail.outbox[0].body)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {
            "new_password1": "a-New-pass-phrase-77",
            "new_password2": "a-New-pass-phrase-77",
        },
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.check_password("a-New-pass-phrase-77")


def test_the_profile_is_editable_and_validated(client, reference_data, participant):
    client.force_login(participant)
    assert client.get("/en/accounts/profile/").status_code == 200
    response = client.post(
        "/en/accounts/profile/",
        {
            "stakeholder_group": "governments",
            "country": "",
            "show_name": "on",
            "first_name": "Rea",
            "last_name": "Der",
            "organization": "Ministry",
        },
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.profile.show_name and participant.first_name == "Rea"
    response = client.post("/en/accounts/profile/", {"stakeholder_group": "nope"})
    assert response.status_code == 400


def test_signup_is_rate_limited_per_address(client, reference_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": {"ip": "1/3600"}}
    client.post("/en/accounts/signup/", signup_data())
    client.logout()
    response = client.post(
        "/en/accounts/signup/", signup_data(username="b", email="b@example.org")
    )
    assert response.status_code == 429
    assert not User.objects.filter(username="b").exists()
