"""The pages every browser check covers: one table, one line a page.

A path holds `{lang}` for the language prefix, `{event}` for the id of the
Forum's own event and `{consultation}` for the slug of the consultation the
site is prepared with (both looked up once the site is served). A path
without `{lang}` (the admin) takes the language from the browser's
Accept-Language.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    # A page with a form sets the CSRF cookie, so no shared cache may keep it.
    private: bool = False

    def path_in(self, site, lang: str) -> str:
        return self.path.format(
            lang=lang, event=site.event, consultation=site.consultation
        )

    def url(self, site, lang: str) -> str:
        return site.url(self.path_in(site, lang))


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
    Page("library", "/{lang}/library/?q=spam"),
    Page("consultation", "/{lang}/consultations/{consultation}/"),
    Page("participant-sign-in", "/{lang}/accounts/login/", private=True),
    Page("sign-in", "/admin/login/", private=True),
]

# axe-core and page weight are checked in these languages (left to right and
# right to left); screenshots are taken in all six.
CHECKED_LANGUAGES = ["en", "ar"]
LANGUAGES = ["ar", "zh-hans", "en", "fr", "ru", "es"]

# Pages shown in screenshots and checked for glyphs in every language.
MAIN_PAGES = [page for page in PAGES if not page.name.endswith("sign-in")]
