"""Every page of the table, in English and Arabic, on a first load in Chromium:

- no request to another host;
- at most 100 KB transferred for HTML, CSS and JavaScript together;
- axe-core finds no serious or critical violation.

axe is evaluated in the page through the DevTools protocol, which the page's
Content-Security-Policy does not govern: pages are checked under their real,
strict policy, with nothing bypassed.
"""

from urllib.parse import urlsplit

import pytest

from .pages import CHECKED_LANGUAGES, PAGES

LIMIT = 100 * 1024
COUNTED = ("document", "stylesheet", "script")
BLOCKING = ("serious", "critical")


def axe_violations(page, axe_source: str) -> list[dict]:
    page.evaluate(axe_source)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary']}")
    return "\n".join(lines)


def transferred(requests) -> tuple[int, list[str]]:
    """Bytes on the wire (headers and encoded bodies) for HTML, CSS and JS."""
    total, counted = 0, []
    for request in requests:
        if request.resource_type not in COUNTED or request.url.startswith("data:"):
            continue
        sizes = request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        total += size
        counted.append(f"{request.url} {size}")
    return total, counted


@pytest.mark.parametrize("lang", CHECKED_LANGUAGES)
@pytest.mark.parametrize("page_info", PAGES, ids=[page.name for page in PAGES])
def test_page_is_light_local_and_accessible(
    site, new_context, axe_source, page_info, lang
):
    context = new_context(locale=lang)
    requests = []
    context.on("request", lambda request: requests.append(request))
    page = context.new_page()
    response = page.goto(page_info.url(site, lang), wait_until="load")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == lang

    foreign = [
        request.url
        for request in requests
        if not request.url.startswith("data:")
        and urlsplit(request.url).netloc != site.host
    ]
    assert not foreign, foreign

    total, counted = transferred(requests)
    assert 1000 < total <= LIMIT, f"{total} bytes:\n" + "\n".join(counted)

    blocking = [
        violation
        for violation in axe_violations(page, axe_source)
        if violation["impact"] in BLOCKING
    ]
    assert not blocking, describe(blocking)


def test_axe_finds_a_real_violation(site, new_context, axe_source):
    """The check itself works: an image without a text alternative is caught."""
    page = new_context().new_page()
    page.goto(site.url("/en/"))
    page.evaluate(
        """() => { const img = document.createElement('img');
        img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
        document.querySelector('main').append(img); }"""
    )
    found = {violation["id"] for violation in axe_violations(page, axe_source)}
    assert "image-alt" in found


@pytest.mark.parametrize("lang", CHECKED_LANGUAGES)
def test_skip_link_is_first_and_focus_is_visible(site, new_context, lang):
    page = new_context(locale=lang).new_page()
    page.goto(site.url(f"/{lang}/matrix/"))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const el = document.activeElement;
        const style = getComputedStyle(el); const box = el.getBoundingClientRect();
        return {href: el.getAttribute('href'), outline: style.outlineStyle,
                width: parseFloat(style.outlineWidth), visible: box.width > 0 &&
                box.left >= 0 && box.right <= innerWidth};}"""
    )
    assert focused["href"] == "#main"
    assert focused["visible"] and focused["outline"] != "none"
    assert focused["width"] >= 2
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
