"""Static files hashed, compressed and cached for a year; public HTML cached.

Checked over HTTP against the site as served in production: collectstatic
into its own STATIC_ROOT, whitenoise, DEBUG off.
"""

import re
import urllib.request

import pytest

from .pages import PAGES

YEAR = 365 * 24 * 3600


def fetch(site, path: str, **headers):
    request = urllib.request.Request(site.url(path), headers=headers)  # noqa: S310
    # A first search loads the sentence encoder in its gunicorn worker: seconds.
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return response.status, response.headers, response.read()


def max_age(headers) -> int:
    match = re.search(r"max-age=(\d+)", headers.get("Cache-Control", ""))
    return int(match.group(1)) if match else 0


def stylesheets(html: bytes) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', html.decode())


def test_static_files_have_hashed_names_gzip_and_a_years_cache(site):
    _status, _headers, html = fetch(site, "/en/events/past/")
    sheets = stylesheets(html)
    assert len(sheets) >= 2
    for href in sheets:
        assert re.fullmatch(r"/static/[\w/]+\.[0-9a-f]{12}\.css", href), href
        status, headers, body = fetch(site, href, **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert max_age(headers) >= YEAR
        assert "public" in headers["Cache-Control"]
        plain = fetch(site, href)[2]
        assert len(body) < len(plain)


def test_no_web_fonts(site):
    for href in stylesheets(fetch(site, "/ar/")[2]):
        css = fetch(site, href)[2].decode()
        assert "@font-face" not in css and "url(" not in css


@pytest.mark.parametrize(
    "page_info",
    [p for p in PAGES if "{lang}" in p.path and not p.private],
    ids=lambda p: p.name,
)
def test_public_pages_are_cached_and_vary(site, page_info):
    status, headers, _ = fetch(site, page_info.path_in(site, "fr"))
    assert status == 200
    cache = headers["Cache-Control"]
    assert "public" in cache and max_age(headers) > 0, cache
    vary = {value.strip().lower() for value in headers["Vary"].split(",")}
    assert {"cookie", "accept-language"} <= vary
    assert "Set-Cookie" not in headers


@pytest.mark.parametrize(
    "page_info", [p for p in PAGES if p.private], ids=lambda p: p.name
)
def test_pages_with_a_form_or_a_session_are_not_public(site, page_info):
    _status, headers, _ = fetch(site, page_info.path_in(site, "fr"))
    assert "public" not in headers.get("Cache-Control", "")
    assert (
        "private" in headers["Cache-Control"] or "no-cache" in headers["Cache-Control"]
    )


def test_the_front_door_redirect_is_not_shared_across_languages(site):
    request = urllib.request.Request(site.url("/"), headers={"Accept-Language": "ru"})  # noqa: S310

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as error:
        opener.open(request, timeout=10)
    assert error.value.code == 302
    assert error.value.headers["Location"] == "/ru/"
    assert "accept-language" in error.value.headers["Vary"].lower()
    error.value.close()
