"""How the synthesis reads votes and serves its page at scale."""

import numpy as np
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clearinghouse.consultations.models import (
    Contribution,
    QuestionKind,
    Status,
    Synthesis,
    Vote,
)
from clearinghouse.consultations.synthesis import (
    _distinct,
    _lookup,
    _votes,
    synthesis_store,
)
from clearinghouse.core.models import Profile

from .conftest import question_of

pytestmark = pytest.mark.django_db

URL = "/en/consultations/access/synthesis/"


def _statement(consultation, author, text, **fields):
    return Contribution.objects.create(
        question=question_of(consultation, QuestionKind.STATEMENTS),
        kind="statement",
        author=author,
        body=text,
        status=Status.PUBLISHED,
        language="en",
        **fields,
    )


def _vote_rows(consultation) -> list[tuple[int, int, int]]:
    return sorted(
        Vote.objects.filter(consultation=consultation).values_list(
            "participant_id", "statement_id", "value"
        )
    )


def _read(consultation):
    with CaptureQueriesContext(connection) as captured:
        votes = _votes(consultation.pk)
    packed = any("CAST(participant_id" in q["sql"] for q in captured)
    return sorted(map(tuple, votes.tolist())), packed


def test_votes_are_read_packed_and_exactly(consultation, make_participant):
    author = make_participant()
    statements = [_statement(consultation, author, f"Statement {n}.") for n in range(3)]
    for n in range(5):
        voter = make_participant()
        for s, statement in enumerate(statements):
            Vote.objects.create(
                statement=statement,
                participant=voter,
                value=(n + s) % 3 - 1,
                consultation=consultation,
            )
    votes, packed = _read(consultation)
    assert packed
    assert votes == _vote_rows(consultation)
    assert {v[2] for v in votes} == {-1, 0, 1}


@pytest.mark.parametrize("large_voter", [False, True])
def test_votes_with_large_ids_are_read_exactly(
    consultation, make_participant, django_user_model, large_voter
):
    """Packed while statement and participant ids fit 62 bits, row by row beyond."""
    author = make_participant()
    small = _statement(consultation, author, "An ordinary id.")
    huge = _statement(consultation, author, "A very large id.", pk=2**40 + 7)
    voter = make_participant()
    if large_voter:
        voter = django_user_model.objects.create(
            pk=2**31 - 5, username="late", email="late@example.org"
        )
        Profile.objects.create(user=voter, stakeholder_group="civil_society")
    for statement, value in ((small, -1), (huge, 1)):
        Vote.objects.create(
            statement=statement,
            participant=voter,
            value=value,
            consultation=consultation,
        )
    votes, packed = _read(consultation)
    assert packed is not large_voter
    assert votes == _vote_rows(consultation)
    data = synthesis_store(consultation=consultation).data
    by_id = {s["id"]: s for s in data["statements"]}
    assert (by_id[huge.pk]["agree"], by_id[small.pk]["disagree"]) == (1, 1)
    assert ["civil_society", 2] in data["participation"]["stakeholder_group"]


def test_no_votes_read_as_an_empty_table(consultation):
    assert _votes(consultation.pk).shape == (0, 3)


@pytest.mark.parametrize("spread", [50, 2**45])
def test_ids_are_indexed_as_sorting_would(spread):
    rng = np.random.default_rng(7)
    values = rng.integers(0, spread, size=2000) + 3
    distinct = _distinct(values)
    assert np.array_equal(distinct, np.unique(values))
    universe = np.unique(np.concatenate([distinct[::2], [spread + 10**6]]))
    found = _lookup(values, universe)
    expected = np.array(
        [np.flatnonzero(universe == v)[0] if v in universe else -1 for v in values]
    )
    assert np.array_equal(found, expected)
    assert (found == -1).any() and (found >= 0).any()
    assert _lookup(values[:0], universe).shape == (0,)
    assert _distinct(values[:0]).shape == (0,)


def test_storing_again_replaces_the_stored_synthesis(consultation, make_participant):
    first = synthesis_store(consultation=consultation)
    type(consultation).objects.filter(pk=consultation.pk).update(data_version=3)
    _statement(consultation, make_participant(), "A new statement.")
    second = synthesis_store(consultation=consultation)
    stored = Synthesis.objects.get()
    assert stored.pk == first.pk == second.pk
    assert (stored.version, len(stored.data["statements"])) == (3, 1)
    assert stored.data == second.data


def test_the_cached_page_costs_one_query_and_follows_new_figures(
    client, consultation, make_participant, django_assert_num_queries
):
    cache.clear()
    synthesis_store(consultation=consultation)
    first = client.get(URL).content.decode()
    assert 'id="n-participants">0<' in first
    with django_assert_num_queries(1):
        assert client.get(URL).content.decode() == first
    _statement(consultation, make_participant(), "A new statement.")
    type(consultation).objects.filter(pk=consultation.pk).update(data_version=1)
    synthesis_store(consultation=consultation)
    assert 'id="n-participants">1<' in client.get(URL).content.decode()
    consultation.title = "Access, renamed"
    consultation.save()
    assert "Access, renamed" in client.get(URL).content.decode()


def test_the_synthesis_of_an_unpublished_or_unknown_consultation_is_not_found(
    client, consultation
):
    synthesis_store(consultation=consultation)
    assert client.get(URL).status_code == 200
    consultation.is_published = False
    consultation.save()
    assert client.get(URL).status_code == 404
    assert client.get("/en/consultations/nowhere/synthesis/").status_code == 404
