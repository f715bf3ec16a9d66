"""Fixtures of the federation tests: loopback allowed, quick retries, a partner."""

import pytest

from clearinghouse.federation.models import Source, SourceKind, SourceStatus
from tests.factories import InstitutionFactory


@pytest.fixture
def harvest_settings(settings):
    """Partners are fake servers on loopback; retries wait a few milliseconds."""
    settings.FEDERATION_ALLOW_LOOPBACK = True
    settings.FEDERATION_RETRY_BASE = 0.001
    settings.FEDERATION_RETRY_MAX_WAIT = 0.01
    settings.FETCH_TOTAL_TIMEOUT = 10
    settings.FETCH_READ_TIMEOUT = 5
    return settings


@pytest.fixture
def partner(db):
    """A partner institution."""
    return InstitutionFactory()


@pytest.fixture
def make_source(harvest_settings, partner):
    """An approved source of a kind at a URL."""

    def make(url: str, kind: str = SourceKind.OAI_PMH, **values) -> Source:
        return Source.objects.create(
            name=values.pop("name", f"Partner {kind}"),
            kind=kind,
            url=url,
            institution=partner,
            status=SourceStatus.ACTIVE,
            **values,
        )

    return make
