"""What a reader does, with JavaScript on and off: the matrix, a calendar, languages."""

import re
from pathlib import Path

import pytest

JAVASCRIPT = [pytest.param(True, id="js"), pytest.param(False, id="no-js")]


@pytest.mark.parametrize("javascript", JAVASCRIPT)
def test_browse_the_matrix_and_open_a_cell(site, new_context, javascript):
    page = new_context(javascript=javascript).new_page()
    page.goto(site.url("/en/"))
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Matrix", exact=True
    ).click()
    assert page.url == site.url("/en/matrix/")
    table = page.locator("table.matrix")
    assert table.locator("tbody th[scope=row]").count() > 10
    cell = table.locator("td a").first
    roles = cell.inner_text()
    cell.click()
    assert re.fullmatch(
        re.escape(site.url("/en/matrix/cell/")) + r"[\w-]+/[\w-]+/", page.url
    )
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_role("heading", name="Evidence").is_visible()
    facts = page.locator("dl.facts").inner_text()
    assert "Roles" in facts and roles.strip()


@pytest.mark.parametrize("javascript", JAVASCRIPT)
def test_download_an_events_calendar_file(site, new_context, javascript):
    page = new_context(javascript=javascript, accept_downloads=True).new_page()
    page.goto(site.url(f"/en/events/{site.event}/"))
    title = page.get_by_role("heading", level=1).inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="Add to your calendar (.ics)").click()
    download = info.value
    assert download.suggested_filename.endswith(".ics")
    text = Path(download.path()).read_text(encoding="utf-8")
    unfolded = text.replace("\r\n ", "").replace("\r\n", "\n")
    assert unfolded.startswith("BEGIN:VCALENDAR\n")
    assert unfolded.count("BEGIN:VEVENT") == 1
    assert "DTSTART" in unfolded
    summary = re.search(r"^SUMMARY[^:]*:(.*)$", unfolded, re.M).group(1)
    assert summary.replace("\\,", ",") == title


@pytest.mark.parametrize("javascript", JAVASCRIPT)
def test_switch_to_arabic_and_back_on_the_same_page(site, new_context, javascript):
    page = new_context(javascript=javascript).new_page()
    page.goto(site.url("/en/issues/spam/?from=switcher"))
    languages = page.get_by_role("navigation", name="Languages")
    languages.locator("a[lang=ar]").click()
    assert page.url == site.url("/ar/issues/spam/?from=switcher")
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl"
    assert html.get_attribute("lang") == "ar"
    assert (
        page.locator("header.site").evaluate("el => getComputedStyle(el).direction")
        == "rtl"
    )
    page.locator("nav.langs a[lang=en]").click()
    assert page.url == site.url("/en/issues/spam/?from=switcher")
    assert html.get_attribute("dir") == "ltr"
    assert page.get_by_role("heading", level=1).inner_text() == "Spam"


def test_the_front_door_follows_the_browsers_language(site, new_context):
    page = new_context(locale="zh-CN").new_page()
    page.goto(site.url("/"))
    assert page.url == site.url("/zh-hans/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_a_missing_browser_fails_the_tests_with_the_fix(tmp_path):
    from .conftest import AXE, require

    with pytest.raises(pytest.fail.Exception, match="make browser-deps"):
        require(tmp_path / "chromium", AXE)
    with pytest.raises(pytest.fail.Exception, match="axe-core is missing"):
        require(tmp_path, tmp_path / "axe.min.js")
