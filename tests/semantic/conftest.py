"""Documents in several languages on a few of the Forum's issues, and their vectors."""

import pytest

from clearinghouse.library import indexing
from clearinghouse.semantic import services, store
from clearinghouse.semantic.models import IssueVector
from clearinghouse.taxonomy.models import Issue
from tests.library.factories import DocumentFactory

TEXTS = {
    "spam-en": (
        "en",
        "Fighting unsolicited bulk e-mail",
        "Laws, filters and user education against spam and junk mail, "
        "and cooperation between countries.",
    ),
    "spam-fr": (
        "fr",
        "Lutter contre le pollupostage",
        "Les lois, le filtrage et la sensibilisation contre les courriels "
        "publicitaires non sollicités.",
    ),
    "privacy-es": (
        "es",
        "Protección de datos personales en Internet",
        "Principios para la recolección y transferencia de información "
        "personal por los servicios en línea.",
    ),
    "privacy-ru": (
        "ru",
        "Защита персональных данных в Интернете",
        "Принципы сбора, хранения и передачи персональной информации онлайн-сервисами.",
    ),
    "ipv6-zh": (
        "zh-hans",
        "政府网络向IPv6过渡",
        "介绍在公共网络中同时启用IPv6和IPv4的实际步骤。",
    ),
    "ipv6-ar": (
        "ar",
        "الانتقال إلى الإصدار السادس من بروتوكول الإنترنت",
        "خطوات عملية لتفعيل IPv6 في الشبكات الحكومية.",
    ),
}


@pytest.fixture(autouse=True)
def _own_search_index(settings, tmp_path):
    """The library's full-text index of each test lives in its own folder."""
    settings.SEARCH_INDEX_DIR = tmp_path / "search"


@pytest.fixture(autouse=True)
def _fresh_matrix():
    """Each test starts with no search matrix in the process (the database is new)."""
    store.forget()
    yield
    store.forget()


@pytest.fixture
def documents(forum2004):
    """Six published documents, two per issue, in six languages (not yet embedded)."""
    made = {
        key: DocumentFactory(title=title, summary=summary, language=language)
        for key, (language, title, summary) in TEXTS.items()
    }
    indexing.index_documents([d.pk for d in made.values()])
    return made


_issue_vectors: dict[str, tuple] = {}


@pytest.fixture
def embedded(documents):
    """The documents and the issues embedded with the real encoder.

    The issues' vectors are computed once per session (about 500 texts) and
    stored again in each test's database, as `issues_embed` leaves them.
    """
    if not _issue_vectors:
        services.issues_embed()
        _issue_vectors.update(
            (row.issue.slug, (row.model, row.text_hash, bytes(row.vector)))
            for row in IssueVector.objects.select_related("issue")
        )
    else:
        slugs = dict(Issue.objects.values_list("slug", "pk"))
        IssueVector.objects.bulk_create(
            IssueVector(issue_id=slugs[slug], model=m, text_hash=h, vector=v)
            for slug, (m, h, v) in _issue_vectors.items()
        )
    services.documents_embed(
        document_ids=[d.pk for d in documents.values()], suggest=False
    )
    return documents
