"""The pages every browser check covers: one table, one line a page.

A path holds `{lang}` for the language prefix and `{event}` for the id of the
Forum's own event (looked up once the site is served). A path without
`{lang}` (the admin) takes the language from the browser's Accept-Language.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    path: str

    def url(self, site, lang: str) -> str:
        return site.url(self.path.format(lang=lang, event=site.event))


PAGES = [
    Page("home", "/{lang}/"),
    Page("matrix", "/{lang}/matrix/"),
    Page("gaps", "/{lang}/matrix/gaps/"),
    Page("issue", "/{lang}/issues/spam/"),
    Page("institution", "/{lang}/institutions/itu/"),
    Page("events", "/{lang}/events/past/"),
    Page("event", "/{lang}/events/{event}/"),
    Page("roadmap", "/{lang}/roadmap/"),
    Page("proposals", "/{lang}/proposals/"),
    Page("sign-in", "/admin/login/"),
]

# axe-core and page weight are checked in these languages (left to right and
# right to left); screenshots are taken in all six.
CHECKED_LANGUAGES = ["en", "ar"]
LANGUAGES = ["ar", "zh-hans", "en", "fr", "ru", "es"]

# Pages shown in screenshots and checked for glyphs in every language.
MAIN_PAGES = [page for page in PAGES if page.name != "sign-in"]
