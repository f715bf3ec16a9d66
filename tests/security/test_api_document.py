"""Every answer under /api/ is one the OpenAPI document describes: JSON errors
in the documented shape for paths no operation matches, for records looked up
with get_object_or_404 and for requests refused before they are read; and one
component per schema name, so that no response is checked against another
app's schema of the same name."""

import json
import typing
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from pydantic import BaseModel

from clearinghouse.api.api import api
from clearinghouse.consultations.models import Consultation, Question, QuestionKind
from clearinghouse.core.responses import NOT_FOUND_MESSAGE

pytestmark = pytest.mark.django_db


def _detail(response, status: int) -> list[str]:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["detail"]
    assert body["detail"] and all(isinstance(m, str) for m in body["detail"])
    return body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        # An integer path converter refuses these, so no operation matches.
        "/api/v1/documents/AAA",
        "/api/v1/documents/-500",
        "/api/v1/documents/0.5",
        "/api/v1/documents/null/similar",
        "/api/v1/filters/assessments/true",
        "/api/v1/documents/%C3%87x%C2%BB",
        # No operation at all.
        "/api/v1/nowhere",
        "/api/v2/",
    ],
)
def test_paths_no_operation_matches_answer_the_documented_404(client, path):
    messages = _detail(client.get(path, HTTP_ACCEPT_LANGUAGE="fr"), 404)
    # In the language of the Accept-Language header, like every API error.
    with translation.override("fr"):
        expected = str(NOT_FOUND_MESSAGE)
    with translation.override("en"):
        assert expected != str(NOT_FOUND_MESSAGE)
    assert messages == [expected]


def test_pages_outside_the_api_keep_the_html_404(client):
    response = client.get("/en/nowhere/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"<h1>" in response.content


def test_a_record_looked_up_with_get_object_or_404_answers_the_documented_404(
    client, reference_data
):
    now = timezone.now()
    consultation = Consultation.objects.create(
        slug="access",
        title="Access",
        background="How to widen participation.",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        working_languages=["en"],
    )
    question = Question.objects.create(
        consultation=consultation, kind=QuestionKind.OPEN, text="Why?", order=1
    )
    base = "/api/v1/consultations/access/questions"
    assert client.get(f"{base}/{question.pk}/contributions").status_code == 200
    _detail(client.get(f"{base}/{question.pk + 1000}/contributions"), 404)


def test_a_nul_character_in_a_body_is_a_documented_400(client, participant):
    client.force_login(participant)
    response = client.post(
        "/api/v1/filters/assessments",
        data=json.dumps({"issue": "spam\u0000", "answers": {}}),
        content_type="application/json",
    )
    assert "NUL" in _detail(response, 400)[0]
    document = client.get("/api/v1/openapi.json").json()
    assert (
        "400" in document["paths"]["/api/v1/filters/assessments"]["post"]["responses"]
    )


def test_every_operation_documents_the_400_the_nul_screen_answers(client):
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "400" in operation["responses"], f"{method.upper()} {path}"


def _models_in(annotation, found: set) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _models_in(argument, found)


def _schemas_of_the_api() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.response_models.values():
                    _models_in(model, found)
                for model in operation.models:
                    _models_in(model, found)
    return found


def test_no_two_schemas_share_a_component_name():
    """The document names a component after its class: two classes of one
    name would leave one of them described by the other's schema."""
    by_name: dict[str, set[str]] = {}
    models = _schemas_of_the_api()
    assert len(models) > 20
    for model in models:
        if model.__module__ == "abc":
            # django-ninja's own wrappers (its parameters and responses),
            # which the document inlines rather than naming.
            continue
        by_name.setdefault(model.__name__, set()).add(
            f"{model.__module__}.{model.__qualname__}"
        )
    shared = {name: where for name, where in by_name.items() if len(where) > 1}
    assert not shared, shared
