"""Records beyond the Forum 2004 dataset that the served test sites (the
browser tests' gunicorn, the schemathesis run) are prepared with, so that
their pages and operations have a library and a consultation to show.

Run inside the site's own process, once its database holds the dataset.
"""

from datetime import date, timedelta

# The Forum's proposal a consultation of the served site asks about, and the
# summary's sentence it rests on.
CONSULTED_PROPOSAL = "several-working-languages"

# Public documents the dataset cites as sources, put into the served site's
# library so that its search page has results and facets to show.
LIBRARY = [
    {
        "title": "Declaration of Principles. Building the Information Society: "
        "a global challenge in the new Millennium",
        "summary": "Spam is a significant and growing problem for users, networks "
        "and the Internet as a whole. Spam and cyber-security should be dealt "
        "with at appropriate national and international levels. (paragraph 37)",
        "url": "https://www.itu.int/net/wsis/docs/geneva/official/dop.html",
        "date": date(2003, 12, 12),
        "doc_type": "policy",
        "language": "en",
        "issues": ["spam", "network-security"],
    },
    {
        "title": "Plan of Action",
        "summary": "",
        "url": "https://www.itu.int/net/wsis/docs/geneva/official/poa.html",
        "date": date(2003, 12, 12),
        "doc_type": "policy",
        "language": "en",
        "issues": ["capacity-building"],
    },
]


def fill_library() -> None:
    """Add the LIBRARY documents, published by a secretariat account."""
    from clearinghouse.core.accounts import secretariat_user_create
    from clearinghouse.library.services import document_create
    from clearinghouse.taxonomy.models import Issue

    curator = secretariat_user_create(
        username="site-curator",
        email="site-curator@example.org",
        password="a-Long-pass-phrase-for-the-test-site-42",
    )
    for entry in LIBRARY:
        values = {k: v for k, v in entry.items() if k != "issues"}
        issue_ids = Issue.objects.filter(slug__in=entry["issues"]).values_list(
            "pk", flat=True
        )
        document_create(by=curator, values=values, issue_ids=list(issue_ids))


# A participant with a verified e-mail address, who may take part.
PARTICIPANT = {
    "username": "site-participant",
    "email": "site-participant@example.org",
    "password": "a-Long-pass-phrase-for-the-participant-42",
}


def prepare() -> None:
    """Everything below, in one go."""
    fill_library()
    open_consultation()
    add_participant()


def add_participant() -> None:
    """The PARTICIPANT account, its e-mail address verified."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from clearinghouse.core.models import Profile

    user = get_user_model().objects.create_user(**PARTICIPANT)
    Profile.objects.create(
        user=user, stakeholder_group="civil_society", email_verified_at=timezone.now()
    )


def open_consultation() -> None:
    """Open a consultation on the Forum's proposal that future meetings use
    several working languages, with a question of each kind (run in the
    served site's process, once its database holds the Forum 2004 dataset)."""
    from django.utils import timezone

    from clearinghouse.consultations.models import (
        Consultation,
        Option,
        Question,
        QuestionKind,
    )
    from clearinghouse.roadmap.models import Proposal

    proposal = Proposal.objects.get(slug=CONSULTED_PROPOSAL)
    now = timezone.now()
    consultation = Consultation.objects.create(
        slug="working-languages",
        title="Working languages of future meetings and summits",
        background=proposal.source_quote,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=60),
        working_languages=["ar", "zh-hans", "en", "fr", "ru", "es"],
        proposal=proposal,
    )
    Question.objects.create(
        consultation=consultation,
        kind=QuestionKind.OPEN,
        text="What keeps people from taking part in meetings held in English only?",
        order=1,
    )
    choice = Question.objects.create(
        consultation=consultation,
        kind=QuestionKind.CHOICE,
        text="How many working languages should a global meeting use?",
        order=2,
    )
    for order, text in enumerate(("The six UN languages", "The region's languages")):
        Option.objects.create(question=choice, text=text, order=order + 1)
    Question.objects.create(
        consultation=consultation,
        kind=QuestionKind.STATEMENTS,
        text="Statements on interpretation and translation",
        order=3,
    )
