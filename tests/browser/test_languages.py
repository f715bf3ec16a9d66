"""Six languages on screen: screenshots, real glyphs, and Arabic mirrored.

Screenshots of the main pages in every language are kept in var/screenshots/
(git-ignored) for people to look at.
"""

import pytest

from .conftest import SCREENSHOTS
from .pages import LANGUAGES, MAIN_PAGES

# Draws each distinct character of a text, in the font an element uses, and
# compares it with the drawing of characters no font has (the "tofu" box or
# nothing): the characters drawn the same way have no glyph.
MISSING_GLYPHS = """([selector, text]) => {
  const el = document.querySelector(selector);
  const font = getComputedStyle(el).font;
  const canvas = document.createElement('canvas');
  canvas.width = 64; canvas.height = 64;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (ch) => {
    ctx.clearRect(0, 0, 64, 64); ctx.font = font; ctx.fillStyle = '#000';
    ctx.fillText(ch, 8, 40);
    return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(',');
  };
  const tofu = new Set(['\\u{F0000}', '\\u{10FFFD}', '\\uFDD0'].map(draw));
  return [...new Set(text || el.innerText)].filter(
    (ch) => ch.trim() && tofu.has(draw(ch)));
}"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_screenshots_of_the_main_pages(site, new_context, lang):
    folder = SCREENSHOTS / lang
    folder.mkdir(parents=True, exist_ok=True)
    page = new_context(locale=lang).new_page()
    for page_info in MAIN_PAGES:
        page.goto(page_info.url(site, lang))
        assert page.locator("html").get_attribute("lang") == lang
        path = folder / f"{page_info.name}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 5000


@pytest.mark.parametrize("lang", ["ar", "zh-hans", "ru"])
def test_glyphs_render(site, new_context, lang):
    page = new_context(locale=lang).new_page()
    for path in (f"/{lang}/", f"/{lang}/matrix/", f"/{lang}/issues/spam/"):
        page.goto(site.url(path))
        for selector in ("h1", "header.site nav", "main p"):
            assert page.evaluate(MISSING_GLYPHS, [selector, ""]) == [], (path, selector)
        width = page.locator("h1").evaluate("el => el.getBoundingClientRect().width")
        assert width > 50


def test_the_glyph_check_sees_tofu(site, new_context):
    """The check works: a private-use character, in no font, is reported."""
    page = new_context().new_page()
    page.goto(site.url("/en/"))
    assert page.evaluate(MISSING_GLYPHS, ["h1", "a\U000f0001"]) == ["\U000f0001"]


def _first_and_second_item(page) -> tuple[dict, dict, int]:
    boxes = (
        page.locator("nav[aria-label] >> nth=0")
        .locator("li")
        .evaluate_all(
            "items => items.slice(0, 2).map(li => li.getBoundingClientRect().toJSON())"
        )
    )
    brand = page.locator("header.site .brand").evaluate(
        "el => el.getBoundingClientRect().toJSON()"
    )
    return boxes, brand, page.viewport_size["width"]


def test_arabic_layout_is_mirrored(site, new_context):
    page = new_context(locale="ar").new_page()
    page.goto(site.url("/ar/matrix/"))
    (first, second), brand, width = _first_and_second_item(page)
    assert brand["right"] > width - 40  # the site's name sits at the right edge
    assert first["left"] > second["left"]  # the nav reads from the right
    row_header = page.locator("table.matrix tbody th[scope=row]").first
    box = row_header.evaluate("el => el.getBoundingClientRect().toJSON()")
    table = page.locator("table.matrix").evaluate(
        "el => el.getBoundingClientRect().toJSON()"
    )
    assert abs(box["right"] - table["right"]) < 3  # row headers on the right side
    assert page.locator("main").evaluate("el => getComputedStyle(el).textAlign") in (
        "start",
        "right",
    )

    page.goto(site.url("/en/matrix/"))
    (first, second), brand, width = _first_and_second_item(page)
    assert brand["left"] < 40
    assert first["left"] < second["left"]


def test_english_quotes_read_left_to_right_on_arabic_pages(site, new_context):
    """Punctuation stays at the end of an English quote inside a mirrored page."""
    page = new_context(locale="ar").new_page()
    page.goto(site.url("/ar/issues/spam/"))
    quote = page.locator(".source blockquote").first
    assert quote.evaluate("el => getComputedStyle(el).direction") == "ltr"
    heading = page.get_by_role("heading", level=1)
    assert heading.evaluate("el => getComputedStyle(el).direction") == "rtl"
