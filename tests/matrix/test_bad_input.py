"""Bad input to the matrix gets a clear 4xx in the visitor's language, never a 500."""

import pytest

from tests.factories import AreaFactory, IssueFactory, MandateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(reference_data):
    MandateFactory(issue=IssueFactory(area=AreaFactory(slug="infra")))


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("/en/matrix/?area=nowhere", "nowhere is not one of the available choices"),
        ("/en/matrix/?group=aliens", "aliens is not one of the available choices"),
        ("/en/matrix/?region=999", "999 is not one of the available choices"),
        ("/en/matrix/?role=king", "king is not one of the available choices"),
        ("/en/matrix/?status=dead", "dead is not one of the available choices"),
        ("/en/matrix/?view=3d", "choose “grid” or “list”"),
        ("/en/matrix/gaps/?role=king", "king is not one of the available choices"),
        ("/en/matrix/export/csv/?area=nowhere", "nowhere is not one of"),
        ("/en/matrix/gaps/export/json/?area=nowhere", "nowhere is not one of"),
    ],
)
def test_unknown_filter_value_is_a_400_that_names_it(client, small, url, needle):
    response = client.get(url)
    assert response.status_code == 400
    assert needle in response.content.decode()


def test_unknown_filter_value_is_explained_in_french(client, small):
    response = client.get("/fr/matrix/?area=nulle-part")
    assert response.status_code == 400
    assert "nulle-part" in response.content.decode()
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_unknown_filter_value_in_the_api_is_a_400_with_detail(client, small):
    response = client.get("/api/v1/matrix?area=nowhere")
    assert response.status_code == 400
    assert any("nowhere" in message for message in response.json()["detail"])
    response = client.get("/api/v1/gaps?role=king")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/en/matrix/export/pdf/",
        "/en/matrix/export/CSV;drop/",
        "/en/matrix/gaps/export/docx/?list=no_home",
    ],
)
def test_malformed_export_request_is_a_400(client, small, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "Unknown export format" in response.content.decode()


def test_gap_export_without_a_list_says_which_lists_exist(client, small):
    response = client.get("/en/matrix/gaps/export/csv/")
    assert response.status_code == 400
    assert "no_home" in response.content.decode()
    response = client.get("/en/matrix/gaps/export/csv/?list=everything")
    assert response.status_code == 400


def test_unknown_cell_is_a_404(client, small):
    assert client.get("/en/matrix/cell/nothing/nobody/").status_code == 404


def test_writes_to_read_only_pages_are_refused(client, small):
    assert client.post("/en/matrix/").status_code == 405
