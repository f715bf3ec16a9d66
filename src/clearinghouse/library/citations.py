"""A document as a citation: BibTeX, RIS and CSL-JSON.

Values come from partners and people, so each format escapes what its
readers would otherwise take as syntax: braces and TeX specials in BibTeX,
line breaks in RIS (one tag per line), nothing to escape in JSON.
"""

import json
import re
import unicodedata

from .models import Document, DocumentType

# BibTeX entry types and CSL types for our document types.
_BIBTEX = {
    DocumentType.RESEARCH: "article",
    DocumentType.PROCEEDINGS: "proceedings",
    DocumentType.STANDARD: "techreport",
    DocumentType.REPORT: "techreport",
    DocumentType.TOOLKIT: "manual",
}
_RIS = {
    DocumentType.RESEARCH: "JOUR",
    DocumentType.BEST_PRACTICE: "RPRT",
    DocumentType.LAW: "STAT",
    DocumentType.POLICY: "GOVDOC",
    DocumentType.REPORT: "RPRT",
    DocumentType.PROCEEDINGS: "CONF",
    DocumentType.STANDARD: "STAND",
    DocumentType.NEWS: "NEWS",
    DocumentType.TOOLKIT: "GEN",
}
_CSL = {
    DocumentType.RESEARCH: "article-journal",
    DocumentType.BEST_PRACTICE: "report",
    DocumentType.LAW: "legislation",
    DocumentType.POLICY: "report",
    DocumentType.REPORT: "report",
    DocumentType.PROCEEDINGS: "paper-conference",
    DocumentType.STANDARD: "standard",
    DocumentType.NEWS: "article-newspaper",
    DocumentType.TOOLKIT: "document",
}

_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}
_SPACES = re.compile(r"\s+")


def bibtex_escape(value: str) -> str:
    """Text safe inside a BibTeX field's braces (UTF-8, as biber reads it)."""
    value = _SPACES.sub(" ", value).strip()
    return "".join(_TEX_SPECIALS.get(char, char) for char in value)


def _key(document: Document) -> str:
    first = document.authors[0] if document.authors else document.title
    ascii_word = (
        unicodedata.normalize(
            "NFKD", first.split(",")[0].split()[-1] if first.split() else ""
        )
        .encode("ascii", "ignore")
        .decode()
    )
    word = re.sub(r"[^A-Za-z0-9]", "", ascii_word).lower() or "doc"
    return f"{word}{document.year or ''}-{document.pk}"


def _publishers(document: Document) -> list[str]:
    return [institution.name for institution in document.institutions.all()]


def bibtex(document: Document, *, page_url: str) -> str:
    """One BibTeX entry."""
    fields: list[tuple[str, str]] = [("title", document.title)]
    if document.authors:
        # Each name braced: a comma or "and" inside a name stays part of it.
        fields.append(
            (
                "author",
                " and ".join(f"{{{bibtex_escape(a)}}}" for a in document.authors),
            )
        )
    publishers = _publishers(document)
    if publishers:
        fields.append(("institution", "; ".join(publishers)))
    if document.date:
        fields.append(("year", str(document.date.year)))
        if document.date_precision != "year":
            fields.append(("month", str(document.date.month)))
        if document.date_precision == "day":
            fields.append(("date", document.date.isoformat()))
    if document.doi:
        fields.append(("doi", document.doi))
    if document.identifier and document.identifier != document.doi:
        fields.append(("number", document.identifier))
    fields.append(("url", document.url or page_url))
    if document.language:
        fields.append(("langid", document.language))
    if document.summary:
        fields.append(("abstract", document.summary))
    kind = _BIBTEX.get(document.doc_type, "misc")
    lines = [f"@{kind}{{{_key(document)},"]
    for name, value in fields:
        text = value if name == "author" else bibtex_escape(value)
        if name in ("url", "doi"):
            # Verbatim fields: only braces need balancing; drop them.
            text = value.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")
        lines.append(f"  {name} = {{{text}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _ris_value(value: str) -> str:
    # A line break would start a new tag: every value is one line.
    return _SPACES.sub(" ", value).strip()


def ris(document: Document, *, page_url: str) -> str:
    """One RIS record (CRLF line ends, as the format asks)."""
    lines = [("TY", _RIS.get(document.doc_type, "GEN")), ("TI", document.title)]
    lines += [("AU", author) for author in document.authors]
    lines += [("PB", name) for name in _publishers(document)]
    if document.date:
        if document.date_precision == "year":
            lines.append(("PY", f"{document.date.year}"))
            lines.append(("DA", f"{document.date.year}///"))
        elif document.date_precision == "month":
            lines.append(("PY", f"{document.date.year}"))
            lines.append(("DA", document.date.strftime("%Y/%m//")))
        else:
            lines.append(("PY", f"{document.date.year}"))
            lines.append(("DA", document.date.strftime("%Y/%m/%d/")))
    if document.doi:
        lines.append(("DO", document.doi))
    if document.identifier and document.identifier != document.doi:
        lines.append(("SN", document.identifier))
    if document.summary:
        lines.append(("AB", document.summary))
    if document.language:
        lines.append(("LA", document.language))
    lines.append(("UR", document.url or page_url))
    lines.append(("ER", ""))
    return "".join(
        f"{tag}  - {_ris_value(value)}".rstrip() + "\r\n" for tag, value in lines
    ).replace("ER  -\r\n", "ER  - \r\n")


def csl(document: Document, *, page_url: str) -> dict:
    """One CSL-JSON item."""
    item: dict = {
        "id": f"document-{document.pk}",
        "type": _CSL.get(document.doc_type, "document"),
        "title": document.title,
        "URL": document.url or page_url,
    }
    if document.authors:
        item["author"] = [{"literal": author} for author in document.authors]
    publishers = _publishers(document)
    if publishers:
        item["publisher"] = "; ".join(publishers)
    if document.date:
        parts = [document.date.year]
        if document.date_precision in ("month", "day"):
            parts.append(document.date.month)
        if document.date_precision == "day":
            parts.append(document.date.day)
        item["issued"] = {"date-parts": [parts]}
    if document.doi:
        item["DOI"] = document.doi
    if document.identifier and document.identifier != document.doi:
        item["number"] = document.identifier
    if document.summary:
        item["abstract"] = document.summary
    if document.language:
        item["language"] = document.language
    return item


def csl_json(document: Document, *, page_url: str) -> str:
    """CSL-JSON text: a list of one item."""
    return json.dumps([csl(document, page_url=page_url)], ensure_ascii=False, indent=2)


FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "bib", bibtex),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris", ris),
    "csl": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json", csl_json),
}
