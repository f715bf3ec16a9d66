"""Plain text from untrusted sources, and the keys that find the same document twice."""

import html
import re
import unicodedata
from datetime import date, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import nh3

# Control characters other than tab and line breaks (NUL among them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_MARKUP = re.compile(r"[<&\x00]")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Query parameters that only say where a visitor came from.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|yclid|igshid)$",
    re.IGNORECASE,
)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|info:doi/)", re.IGNORECASE
)


# Printable ASCII but "&" and "<": no tag, entity, control character or line
# break to handle, so that (without two spaces in a row, for a single line)
# the text is already plain; most harvested values are.
_PLAIN_ASCII = re.compile(r"[ -%'-;=-~]*")


def plain_text(value: str | None, *, limit: int, single_line: bool = False) -> str:
    """Text with every tag, comment, script and control character removed, capped.

    Entities are decoded, so the result is text to escape on output, never HTML.
    """
    if not value:
        return ""
    text = str(value)
    if _PLAIN_ASCII.fullmatch(text) and not (single_line and "  " in text):
        return text.strip()[:limit].strip()
    return _plain_text(text, limit=limit, single_line=single_line)


def _plain_text(text: str, *, limit: int, single_line: bool) -> str:
    """`plain_text` for any text."""
    if _MARKUP.search(text):
        # Without these characters there is no tag, comment or entity to read.
        text = html.unescape(nh3.clean(text, tags=set(), strip_comments=True))
    text = _CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text) if single_line else _BLANK_LINES.sub("\n\n", text)
    return text.strip()[:limit].strip()


def normalize_doi(value: str | None) -> str:
    """A DOI in its bare, lower-case form ("10.1000/xyz"), or "" if it is none."""
    if not value:
        return ""
    doi = _DOI_PREFIX.sub("", value.strip()).strip().lower()
    return doi if _DOI.match(doi) and len(doi) <= 300 else ""


def canonical_url(value: str | None) -> str:
    """A web address reduced to what identifies the page.

    Scheme and host in lower case, default port, credentials, fragment and
    tracking parameters dropped, no trailing slash. "" for anything that is
    not an http(s) address.
    """
    if not value:
        return ""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in ("http", "https") or not host:
        return ""
    netloc = host
    if port and port != {"http": 80, "https": 443}[scheme]:
        netloc = f"{host}:{port}"
    # Most addresses have no query: nothing to parse and encode again.
    query = parts.query and urlencode(
        [
            (key, val)
            for key, val in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(key)
        ]
    )
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, query, ""))[:1000]


def fold(value: str) -> str:
    """Text folded for comparison: case, accents, Arabic diacritics and forms.

    Every mark is dropped, and Arabic alef forms, alef maqsura and teh
    marbuta are unified, so that a text compares equal however it is written.
    """
    if value.isascii():
        # Nothing to decompose, no mark, no Arabic form: the same, faster.
        return value.casefold()
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.replace("\u0640", "")  # tatweel
    return text.translate(_ARABIC_FORMS)


_ARABIC_FORMS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
)


def title_key(value: str) -> str:
    """A title reduced to its letters and digits, for matching across sources."""
    folded = fold(value)
    if folded.isascii():
        # The same as below for ASCII: letters and digits are L and N.
        return " ".join(_ASCII_WORD.findall(folded))[:500]
    words = "".join(
        char if unicodedata.category(char)[0] in "LN" else " " for char in folded
    )
    return _SPACES.sub(" ", words).strip()[:500]


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def parse_date(value) -> tuple[date | None, str]:
    """A date and its precision ("day", "month", "year") from a date or ISO text."""
    if value is None or value == "":
        return None, "day"
    if isinstance(value, datetime):
        return value.date(), "day"
    if isinstance(value, date):
        return value, "day"
    match = _PARTIAL_DATE.match(str(value).strip())
    if not match:
        return None, "day"
    year, month, day = match.groups()
    try:
        if day:
            return date(int(year), int(month), int(day)), "day"
        if month:
            return date(int(year), int(month), 1), "month"
        return date(int(year), 1, 1), "year"
    except ValueError:
        return None, "day"
