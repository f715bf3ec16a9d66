"""What a reader does, with JavaScript on and off: the matrix, a calendar, languages,
the library's search, taking part in a consultation."""

import re
from pathlib import Path

import pytest

from tests.site_data import LIBRARY, PARTICIPANT

from .test_pages import BLOCKING, axe_violations, describe

JAVASCRIPT = [pytest.param(True, id="js"), pytest.param(False, id="no-js")]


def from_the_main_menu(site, context, name: str):
    """A page of the context, on the home page, that followed the main menu's link."""
    page = context.new_page()
    page.goto(site.url("/en/"))
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=name, exact=True
    ).click()
    return page


@pytest.mark.parametrize("javascript", JAVASCRIPT)
def test_browse_the_matrix_and_open_a_cell(site, new_context, javascript):
    page = from_the_main_menu(site, new_context(javascript=javascript), "Matrix")
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


@pytest.mark.parametrize("javascript", JAVASCRIPT)
def test_search_the_library(site, new_context, javascript):
    page = from_the_main_menu(site, new_context(javascript=javascript), "Library")
    assert page.url == site.url("/en/library/")
    main = page.get_by_role("main")
    main.get_by_label("Search the library").fill("spam")
    main.get_by_role("button", name="Search").click()
    assert page.url.startswith(site.url("/en/library/?q=spam"))
    # The issue the words name, and the document that speaks of it.
    assert main.get_by_role("link", name="Spam", exact=True).is_visible()
    results = page.locator("ol.results li")
    assert results.count() == 1
    title = LIBRARY[0]["title"]
    assert results.first.locator("mark").count() >= 1
    results.first.get_by_role("link", name=title).click()
    assert page.get_by_role("heading", level=1).inner_text() == title


@pytest.mark.parametrize("javascript", JAVASCRIPT)
def test_take_part_in_a_consultation(site, new_context, axe_source, javascript):
    page = new_context(javascript=javascript).new_page()
    page.goto(site.url(f"/en/consultations/{site.consultation}/"))
    page.get_by_role("link", name="sign in", exact=True).click()
    page.get_by_label("Username").fill(PARTICIPANT["username"])
    page.get_by_label("Password").fill(PARTICIPANT["password"])
    page.get_by_role("button", name="Sign in").click()
    assert page.url == site.url(f"/en/consultations/{site.consultation}/")
    # The page as a participant sees it, with its forms, is accessible too.
    if javascript:
        blocking = [
            violation
            for violation in axe_violations(page, axe_source)
            if violation["impact"] in BLOCKING
        ]
        assert not blocking, describe(blocking)
    question = page.locator("section.question").first
    answer = f"Interpretation costs keep small delegations away ({javascript})."
    question.get_by_label("Your text").fill(answer)
    # The form refuses what is sent faster than a person types.
    page.wait_for_timeout(2500)
    question.get_by_role("button", name="Send my answer").click()
    assert page.url.startswith(site.url(f"/en/consultations/{site.consultation}/"))
    status = page.locator(".messages, [role=status]").first.inner_text()
    assert "Thank you" in status
    # A new account's answer waits for a moderator: not shown yet.
    assert answer not in page.get_by_role("main").inner_text()


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
