"""Every URL pattern and every API operation, walked with every role.

Each unsafe method (POST, PUT, PATCH, DELETE) must refuse whoever may not use
it (401, 403, 405 where the view has no such method, or a redirect to sign
in), let through whoever may, and never answer a 500; and each refuses a
browser session that sends no CSRF token.

Who may do what is written once, in PAGES and OPERATIONS below. A URL pattern
or an API operation that is added without an entry there fails the walk, so
a new door is never left untested.
"""

import copy
import json
import re
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.urls.exceptions import NoReverseMatch

from clearinghouse.actors.models import Institution
from clearinghouse.events.models import Event
from clearinghouse.matrix.models import Mandate
from clearinghouse.roadmap.models import Milestone, Proposal
from clearinghouse.security.services import api_token_create
from clearinghouse.taxonomy.models import Issue
from tests.security.roles import focal_point_create, user_create, walk_patterns

pytestmark = pytest.mark.django_db

UNSAFE = ("post", "put", "patch", "delete")

ANONYMOUS = "anonymous"
PARTICIPANT = "participant"
VERIFIED = "verified participant"
FOCAL_OTHER = "focal point of another institution"
FOCAL_OWN = "focal point of the institution"
SECRETARIAT = "secretariat"
TOKEN_OTHER = "API token of another institution"
TOKEN_OWN = "API token of the institution"
SESSION_ROLES = (ANONYMOUS, PARTICIPANT, VERIFIED, FOCAL_OTHER, FOCAL_OWN, SECRETARIAT)
API_ROLES = (*SESSION_ROLES, TOKEN_OTHER, TOKEN_OWN)

CURATORS = frozenset({SECRETARIAT})
INSTITUTION_EDITORS = frozenset({SECRETARIAT, FOCAL_OWN, TOKEN_OWN})
VERIFIED_ACCOUNTS = frozenset({VERIFIED, FOCAL_OTHER, FOCAL_OWN, SECRETARIAT})
TOKEN_MANAGERS = frozenset({SECRETARIAT, FOCAL_OWN})
SIGNED_IN = frozenset({PARTICIPANT, VERIFIED, FOCAL_OTHER, FOCAL_OWN, SECRETARIAT})
EVERYONE = frozenset(SESSION_ROLES)
# Reads that a protocol lets clients send by POST, exempt from CSRF because
# they change nothing: OAI-PMH 2.0 (section 3.1.1.2).
SAFE_POSTS = {"federation-oai"}


@dataclass(frozen=True)
class Page:
    """A URL pattern: its arguments from the records, and who may use which
    unsafe method (none, for a read-only page)."""

    kwargs: object = None  # callable(records) -> dict
    allowed: dict = field(default_factory=dict)  # method -> roles


@dataclass(frozen=True)
class Operation:
    """An unsafe API operation: who may call it, its path's arguments and a
    valid body (so that a refusal is a refusal, not a 422)."""

    allowed: frozenset
    params: object = None  # callable(records) -> dict
    body: object = None  # callable(records) -> dict


def _slug(attribute):
    return lambda r: {"slug": getattr(r, attribute).slug}


def _fmt(r):
    return {"fmt": "csv"}


# Every page pattern outside the API and the admin, by its name.
PAGES = {
    "home": Page(),
    "robots": Page(),
    "source-code": Page(),
    "taxonomy-ttl": Page(),
    "taxonomy-jsonld": Page(),
    "events-calendar": Page(),
    "events-event-ics": Page(kwargs=lambda r: {"pk": r.event.pk}),
    "roadmap-ics": Page(),
    "taxonomy:issues": Page(),
    "taxonomy:issue": Page(kwargs=_slug("issue")),
    "actors:institutions": Page(),
    "actors:institution": Page(kwargs=_slug("own")),
    "matrix:matrix": Page(),
    "matrix:export": Page(kwargs=_fmt),
    "matrix:gaps": Page(),
    "matrix:gaps-export": Page(kwargs=_fmt),
    "matrix:cell": Page(
        kwargs=lambda r: {
            "issue": r.mandate.issue.slug,
            "institution": r.mandate.institution.slug,
        }
    ),
    "events:upcoming": Page(),
    "events:past": Page(),
    "events:month-current": Page(),
    "events:month": Page(kwargs=lambda r: {"year": "2004", "month": "03"}),
    "events:import": Page(allowed={"post": CURATORS}),
    "events:event": Page(kwargs=lambda r: {"pk": r.event.pk}),
    "roadmap:timeline": Page(),
    "roadmap:due": Page(),
    "roadmap:slipped": Page(),
    "roadmap:export": Page(kwargs=_fmt),
    "roadmap:milestone": Page(kwargs=_slug("milestone")),
    "roadmap:proposals": Page(),
    "roadmap:proposals-export": Page(kwargs=_fmt),
    "roadmap:proposal": Page(kwargs=_slug("proposal")),
    "roadmap:proposal-update": Page(
        kwargs=_slug("proposal"), allowed={"post": CURATORS}
    ),
    # Participants' accounts: the sign-in, sign-up and reset forms are for
    # everyone; the profile and a new verification link for the signed in.
    "accounts:signup": Page(allowed={"post": EVERYONE}),
    "accounts:login": Page(allowed={"post": EVERYONE}),
    "accounts:logout": Page(allowed={"post": EVERYONE}),
    "accounts:verify-sent": Page(),
    "accounts:verify": Page(kwargs=lambda r: {"uidb64": "x", "token": "y"}),
    "accounts:verify-resend": Page(allowed={"post": SIGNED_IN}),
    "accounts:profile": Page(allowed={"post": SIGNED_IN}),
    "accounts:password-reset": Page(allowed={"post": EVERYONE}),
    "accounts:password-reset-done": Page(allowed={"post": EVERYONE}),
    "accounts:password-reset-confirm": Page(
        kwargs=lambda r: {"uidb64": "x", "token": "y"}, allowed={"post": EVERYONE}
    ),
    "accounts:password-reset-complete": Page(allowed={"post": EVERYONE}),
    "analytics:participation": Page(),
    # Consultations: reading is public, taking part needs a verified account,
    # reporting a signed-in one, moderating the secretariat.
    "consultations:list": Page(),
    "consultations:mine": Page(),
    "consultations:detail": Page(kwargs=lambda r: {"slug": "walk"}),
    "consultations:synthesis": Page(kwargs=lambda r: {"slug": "walk"}),
    "consultations:synthesis-export": Page(
        kwargs=lambda r: {"slug": "walk", "fmt": "csv"}
    ),
    "consultations:contribute": Page(
        kwargs=lambda r: {"slug": "walk", "question_id": 1},
        allowed={"post": VERIFIED_ACCOUNTS},
    ),
    "consultations:choose": Page(
        kwargs=lambda r: {"slug": "walk", "question_id": 1},
        allowed={"post": VERIFIED_ACCOUNTS},
    ),
    "consultations:reply": Page(
        kwargs=lambda r: {"slug": "walk", "contribution_id": 1},
        allowed={"post": VERIFIED_ACCOUNTS},
    ),
    "consultations:vote": Page(
        kwargs=lambda r: {"slug": "walk", "statement_id": 1},
        allowed={"post": VERIFIED_ACCOUNTS},
    ),
    "consultations:report": Page(
        kwargs=lambda r: {"slug": "walk", "contribution_id": 1},
        allowed={"post": SIGNED_IN},
    ),
    "consultations:moderation": Page(),
    "consultations:moderate": Page(
        kwargs=lambda r: {"contribution_id": 1}, allowed={"post": CURATORS}
    ),
    # Federation: pages, feeds and the sitemap are read-only; OAI-PMH reads
    # may come by POST.
    "federation:sources": Page(),
    "federation:source": Page(kwargs=lambda r: {"pk": 1}),
    "federation-feed-issue": Page(kwargs=_slug("issue")),
    "federation-feed-institution": Page(kwargs=_slug("own")),
    "federation-feed-type": Page(kwargs=lambda r: {"code": "report"}),
    "django.contrib.sitemaps.views.sitemap": Page(),
    "federation-oai": Page(allowed={"post": EVERYONE}),
    # Governance filters: verified accounts assess, the secretariat words the
    # questions and rules.
    "filters:map": Page(),
    "filters:questions": Page(),
    "filters:issue": Page(kwargs=_slug("issue")),
    "filters:assessment": Page(kwargs=lambda r: {"pk": 1}),
    "filters:export": Page(kwargs=lambda r: {"what": "consensus", "fmt": "csv"}),
    "filters:assess": Page(kwargs=_slug("issue"), allowed={"post": VERIFIED_ACCOUNTS}),
    "filters:question-edit": Page(
        kwargs=lambda r: {"key": "cross_border"}, allowed={"post": CURATORS}
    ),
    "filters:rule-edit": Page(
        kwargs=lambda r: {"key": "needs-a-home"}, allowed={"post": CURATORS}
    ),
    # The library: verified accounts submit, the secretariat reviews, the
    # signed in keep saved searches.
    "library:search": Page(),
    "library:document": Page(kwargs=lambda r: {"pk": 1}),
    "library:citation": Page(kwargs=lambda r: {"pk": 1, "fmt": "bib"}),
    "library:file": Page(kwargs=lambda r: {"pk": 1, "file_pk": 1}),
    "library:review": Page(),
    "library-feed": Page(kwargs=lambda r: {"token": "x"}),
    "library:add": Page(allowed={"post": VERIFIED_ACCOUNTS}),
    "library:upload": Page(allowed={"post": VERIFIED_ACCOUNTS}),
    "library:review-document": Page(
        kwargs=lambda r: {"pk": 1}, allowed={"post": CURATORS}
    ),
    "library:saved": Page(allowed={"post": SIGNED_IN}),
    "library:saved-delete": Page(
        kwargs=lambda r: {"pk": 1}, allowed={"post": SIGNED_IN}
    ),
    "semantic:discover": Page(),
    "semantic:similar": Page(kwargs=lambda r: {"pk": 1}),
    "semantic:suggestions": Page(allowed={"post": CURATORS}),
}

# The admin is the secretariat's alone: every one of its patterns refuses
# everyone else, whatever the model.
ADMIN_PREFIX = "admin:"
# Signing in and out is for everyone: the admin's only open doors.
ADMIN_OPEN = {"admin:login", "admin:logout"}
# The API's patterns are walked operation by operation from its OpenAPI
# document (OPERATIONS); its own pages are read-only.
API_PREFIX = "api:"
API_PAGES = {"api:openapi-json", "api:openapi-view", "api:api-root"}


def _institution_body(r):
    return {
        "slug": "new-body",
        "name": "New body",
        "kind": "intergovernmental",
        "stakeholder_group": "intergovernmental",
        "scope": "global",
        "source_url": "https://example.org/",
    }


def _mandate_body(r):
    return {
        "issue": r.spare_issue.slug,
        "institution": r.own.slug,
        "roles": ["standard_setting"],
        "source_quote": "A quoted sentence.",
    }


def _event_body(r):
    return {
        "uid": "walk@test.clearinghouse",
        "title": "Walk",
        "kind": "conference",
        "start": "2030-01-01T09:00:00",
        "end": "2030-01-01T17:00:00",
        "timezone": "UTC",
        "organizers": [r.own.slug],
        "source_url": "https://example.org/",
    }


# Every unsafe operation of the API, by method and OpenAPI path.
OPERATIONS = {
    "POST /api/v1/issues": Operation(
        CURATORS,
        body=lambda r: {
            "slug": "new-issue",
            "name": "New issue",
            "area": r.issue.area.slug,
            "source_url": "https://example.org/",
        },
    ),
    "PATCH /api/v1/issues/{slug}": Operation(CURATORS, params=_slug("issue")),
    "POST /api/v1/institutions": Operation(CURATORS, body=_institution_body),
    "PATCH /api/v1/institutions/{slug}": Operation(
        INSTITUTION_EDITORS, params=_slug("own")
    ),
    "POST /api/v1/mandates": Operation(INSTITUTION_EDITORS, body=_mandate_body),
    "PATCH /api/v1/mandates/{mandate_id}": Operation(
        INSTITUTION_EDITORS, params=lambda r: {"mandate_id": r.mandate.pk}
    ),
    "DELETE /api/v1/mandates/{mandate_id}": Operation(
        INSTITUTION_EDITORS, params=lambda r: {"mandate_id": r.mandate.pk}
    ),
    "POST /api/v1/events": Operation(INSTITUTION_EDITORS, body=_event_body),
    "PATCH /api/v1/events/{event_id}": Operation(
        INSTITUTION_EDITORS, params=lambda r: {"event_id": r.event.pk}
    ),
    "DELETE /api/v1/events/{event_id}": Operation(
        INSTITUTION_EDITORS, params=lambda r: {"event_id": r.event.pk}
    ),
    "PATCH /api/v1/milestones/{slug}": Operation(CURATORS, params=_slug("milestone")),
    "POST /api/v1/proposals/{slug}/updates": Operation(
        CURATORS,
        params=_slug("proposal"),
        body=lambda r: {
            "date": "2005-01-01",
            "status": "in_progress",
            "note": "Follow-up.",
            "source_url": "https://example.org/",
        },
    ),
    "POST /api/v1/focal-points": Operation(
        VERIFIED_ACCOUNTS, body=lambda r: {"institution": r.own.slug}
    ),
    "POST /api/v1/tokens": Operation(
        TOKEN_MANAGERS, body=lambda r: {"institution": r.own.slug, "name": "Walk"}
    ),
    "DELETE /api/v1/tokens/{prefix}": Operation(
        TOKEN_MANAGERS, params=lambda r: {"prefix": r.own_token.prefix}
    ),
    "POST /api/v1/filters/assessments": Operation(
        VERIFIED_ACCOUNTS,
        body=lambda r: {
            "issue": r.spare_issue.slug,
            "stakeholder_group": "civil_society",
            "answers": {
                key: {"value": "dont_know", "rationale": ""}
                for key in r.filter_question_keys
            },
        },
    ),
}


class Records:
    """Real records from the Forum 2004 dataset for the URLs' arguments."""

    def __init__(self) -> None:
        self.own = (
            Institution.objects.filter(mandates__isnull=False, events__isnull=False)
            .distinct()
            .order_by("slug")
            .first()
        )
        self.other = Institution.objects.exclude(pk=self.own.pk).order_by("slug")[0]
        self.mandate = Mandate.objects.filter(institution=self.own).first()
        self.event = Event.objects.filter(organizers=self.own).first()
        self.issue = Issue.objects.order_by("slug").first()
        self.spare_issue = Issue.objects.exclude(mandates__institution=self.own).first()
        self.milestone = Milestone.objects.order_by("slug").first()
        self.proposal = Proposal.objects.order_by("slug").first()
        from clearinghouse.filters.selectors import current_version, version_questions

        self.filter_question_keys = [
            question.key for question in version_questions(current_version())
        ]


@pytest.fixture
def world(forum2004, secretariat):
    """The records, a client for each role, and the institution's tokens."""
    records = Records()
    users = {
        PARTICIPANT: user_create("walk-participant"),
        VERIFIED: user_create("walk-verified", verified=True),
        FOCAL_OTHER: focal_point_create("walk-focal-other", records.other),
        FOCAL_OWN: focal_point_create("walk-focal-own", records.own),
        SECRETARIAT: secretariat,
    }
    clients = {ANONYMOUS: Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    records.own_token, own_secret = api_token_create(
        institution=records.own, name="own", by=secretariat
    )
    _other, other_secret = api_token_create(
        institution=records.other, name="other", by=secretariat
    )
    clients[TOKEN_OWN] = Client(headers={"Authorization": f"Bearer {own_secret}"})
    clients[TOKEN_OTHER] = Client(headers={"Authorization": f"Bearer {other_secret}"})
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(secretariat)
    return records, clients, csrf_client


def _send(client, method, url, body=None):
    """One request, whose effects are rolled back so that each role meets the
    same records; the client keeps its cookies (signing out is walked too)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = getattr(client, method)(
            url,
            data=json.dumps(body if body is not None else {}),
            content_type="application/json",
        )
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def _refused(response) -> bool:
    if response.status_code in {401, 403, 405}:
        return True
    return response.status_code == 302 and "/login/" in response.get("Location", "")


def _check(response, *, allowed: bool, what: str, failures: list) -> None:
    if response.status_code >= 500:
        failures.append(f"{what}: {response.status_code}")
    elif allowed and response.status_code in {401, 403}:
        failures.append(f"{what}: refused ({response.status_code}) but allowed")
    elif not allowed and not _refused(response):
        failures.append(f"{what}: {response.status_code}, not refused")


def _admin_url(name, pattern, records):
    """Reverse an admin pattern with plausible arguments (the catch-all,
    which has no name, with any path)."""
    if not pattern.name:
        return reverse("admin:index") + "no-such-page/"
    params = set(pattern.pattern.regex.groupindex) | set(
        getattr(pattern.pattern, "converters", {})
    )
    for app_label in ("actors", "taxonomy", "auth", "security"):
        values = {
            "app_label": app_label,
            "object_id": str(records.own.pk),
            "content_type_id": "1",
            "id": str(records.own.pk),
        }
        positional = pattern.pattern.regex.groups - len(params)
        try:
            if positional:
                # simple_history's pages take positional arguments.
                return reverse(name, args=[str(records.own.pk)] * positional)
            # Other apps' admin pages (django-rq's queues and jobs) take
            # their own arguments: any value reaches the permission check.
            return reverse(name, kwargs={key: values.get(key, "1") for key in params})
        except (NoReverseMatch, KeyError):
            continue
    raise AssertionError(f"No arguments for {name}: {sorted(params)}")


def test_every_url_pattern_has_an_entry_in_the_table():
    names = {name for name, _pattern in walk_patterns()}
    pages = {
        name
        for name in names
        if not name.startswith(ADMIN_PREFIX) and not name.startswith(API_PREFIX)
    }
    assert pages == set(PAGES), (
        f"Without an entry: {sorted(pages - set(PAGES))}; "
        f"stale entries: {sorted(set(PAGES) - pages)}"
    )
    assert any(name.startswith(ADMIN_PREFIX) for name in names)


def _walk_pages(records, clients, csrf_client, failures) -> int:
    requests = 0
    for name, _pattern in walk_patterns():
        if name.startswith((ADMIN_PREFIX, API_PREFIX)):
            continue
        page = PAGES[name]
        url = reverse(name, kwargs=page.kwargs(records) if page.kwargs else None)
        for method in UNSAFE:
            for role in SESSION_ROLES:
                allowed = role in page.allowed.get(method, ())
                response = _send(clients[role], method, url)
                requests += 1
                _check(
                    response,
                    allowed=allowed,
                    what=f"{method.upper()} {url} as {role}",
                    failures=failures,
                )
            response = _send(csrf_client, method, url)
            requests += 1
            if name in SAFE_POSTS:
                continue
            if response.status_code != 403:
                failures.append(
                    f"{method.upper()} {url} without CSRF: {response.status_code}"
                )
    return requests


def _walk_admin(records, clients, csrf_client, failures) -> int:
    walked = 0
    for name, pattern in walk_patterns():
        if not name.startswith(ADMIN_PREFIX):
            continue
        url = _admin_url(name, pattern, records)
        walked += 1
        for method in UNSAFE:
            for role in SESSION_ROLES:
                if role == SECRETARIAT:
                    continue
                _check(
                    _send(clients[role], method, url),
                    allowed=name in ADMIN_OPEN,
                    what=f"{method.upper()} {url} as {role}",
                    failures=failures,
                )
        response = _send(csrf_client, "post", url)
        if response.status_code != 403:
            failures.append(f"POST {url} without CSRF: {response.status_code}")
    return walked


def _openapi_operations(client):
    document = client.get(reverse("api:openapi-json")).json()
    return {
        f"{method.upper()} {path}": operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if method in UNSAFE
    }


def test_every_api_operation_has_an_entry_in_the_table(client):
    found = set(_openapi_operations(client))
    assert found == set(OPERATIONS), (
        f"Without an entry: {sorted(found - set(OPERATIONS))}; "
        f"stale entries: {sorted(set(OPERATIONS) - found)}"
    )
    # And every API URL pattern is one of the document's paths or pages.
    document = client.get(reverse("api:openapi-json")).json()
    for name, pattern in walk_patterns():
        if name.startswith(API_PREFIX) and name not in API_PAGES:
            route = "/api/v1/" + re.sub(
                r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern)
            )
            assert route in document["paths"], name


def _walk_api(records, clients, csrf_client, failures) -> int:
    requests = 0
    for key, operation in sorted(OPERATIONS.items()):
        method, path = key.split(" ", 1)
        params = operation.params(records) if operation.params else {}
        url = path.format(**params)
        body = operation.body(records) if operation.body else {}
        for role in API_ROLES:
            response = _send(clients[role], method.lower(), url, body)
            requests += 1
            _check(
                response,
                allowed=role in operation.allowed,
                what=f"{key} as {role}",
                failures=failures,
            )
            if role in operation.allowed and response.status_code >= 400:
                failures.append(
                    f"{key} as {role}: {response.status_code} {response.content[:200]}"
                )
        response = _send(csrf_client, method.lower(), url, body)
        requests += 1
        if response.status_code != 403:
            failures.append(f"{key} without CSRF: {response.status_code}")
    return requests


def test_every_unsafe_door_refuses_those_who_may_not_use_it(world):
    """One walk over pages, admin and API (the dataset is loaded once)."""
    failures = []
    pages = _walk_pages(*world, failures)
    admin = _walk_admin(*world, failures)
    api = _walk_api(*world, failures)
    print(f"{pages} page requests, {admin} admin patterns, {api} API requests")
    assert not failures, "\n".join(failures)
    assert pages == len(PAGES) * len(UNSAFE) * (len(SESSION_ROLES) + 1)
    # Every model's list, add, change, delete and history pages, at least.
    assert admin >= 100
    assert api == len(OPERATIONS) * (len(API_ROLES) + 1)
