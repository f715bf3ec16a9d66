"""Text extraction from one file, run in a child process under resource limits.

Reads the file's bytes on standard input and writes one JSON object on
standard output: {"text": …, "title": …} or {"error": code}. It imports no
Django: a hostile file can cost this process only, within the CPU time and
memory the parent set.
"""

import io
import json
import sys
from html.parser import HTMLParser

_BLOCKS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "table",
    "dt",
    "dd",
    "title",
}
_SKIPPED = {"script", "style", "template", "noscript", "svg", "math", "head"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        elif tag in _SKIPPED:
            self._skip += 1
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag in _SKIPPED and self._skip:
            self._skip -= 1
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.parts.append(data)


def _html(data: bytes) -> dict:
    text = _decode(data)
    parser = _Text()
    parser.feed(text)
    parser.close()
    return {"text": "".join(parser.parts), "title": " ".join(parser.title)}


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _pdf(data: bytes, max_pages: int) -> dict:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return {"error": "encrypted"}
        pages = []
        for number, page in enumerate(reader.pages):
            if number >= max_pages:
                break
            pages.append(page.extract_text() or "")
        title = ""
        if reader.metadata is not None and reader.metadata.title:
            title = str(reader.metadata.title)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError):
        return {"error": "damaged"}
    return {"text": "\n\n".join(pages), "title": title}


def _docx(data: bytes) -> dict:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as error:
        return {"error": "damaged", "detail": str(error)[:200]}
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return {"text": "\n".join(parts), "title": document.core_properties.title or ""}


def main() -> None:
    kind, max_pages = sys.argv[1], int(sys.argv[2])
    data = sys.stdin.buffer.read()
    if kind == "pdf":
        result = _pdf(data, max_pages)
    elif kind == "docx":
        result = _docx(data)
    elif kind == "html":
        result = _html(data)
    else:
        result = {"text": _decode(data), "title": ""}
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main()
