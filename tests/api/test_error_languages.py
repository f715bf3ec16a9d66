"""Parameters of the wrong type get their 422 in the language of the
Accept-Language header, as the API's description promises, not pydantic's
English."""

import pytest

pytestmark = pytest.mark.django_db

LANGUAGES = ("ar", "es", "fr", "ru", "zh-hans")


@pytest.mark.parametrize(
    ("url", "english"),
    [
        ("/api/v1/documents?page=abc", "page: Enter a whole number."),
        ("/api/v1/events?limit=-5", "limit: Enter a value of at least 1."),
        ("/api/v1/documents?per_page=1.5", "per_page: Enter a whole number."),
    ],
)
def test_a_parameter_of_the_wrong_type_is_explained_in_the_callers_language(
    client, url, english
):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json() == {"detail": [english]}
    field = english.split(":")[0]
    for language in LANGUAGES:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 422
        (message,) = response.json()["detail"]
        assert message.startswith(f"{field}: ")
        assert message != english, language


def test_the_french_messages_read_as_french(client):
    response = client.get("/api/v1/events?limit=-5", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json() == {"detail": ["limit: Saisissez une valeur d'au moins 1."]}


def _post_mandate(client, body: str, language: str):
    return client.post(
        "/api/v1/mandates",
        data=body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_a_body_that_is_not_json_is_explained(secretariat_client):
    response = _post_mandate(secretariat_client, "{not json", "es")
    assert response.status_code == 400
    assert response.json() == {
        "detail": ["El cuerpo de la solicitud no es un JSON válido."]
    }


def test_a_body_of_the_wrong_shape_is_explained(secretariat_client):
    response = _post_mandate(secretariat_client, '{"institution": 5}', "fr")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any(m.endswith("institution: Saisissez du texte.") for m in detail)
    assert any(m.endswith("issue: Cette valeur est obligatoire.") for m in detail)
