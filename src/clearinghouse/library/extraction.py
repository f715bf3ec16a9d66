"""Uploaded files checked by their content, and their text read in a jailed process.

A file is accepted only when its content is what its name says (PDF, Word
.docx, HTML or plain text), it is not empty and not over the size limit. A
.docx is a zip: its entry count and unpacked size are checked before anything
unpacks it. Text is read in a child process with CPU-time and memory limits
and a wall-clock timeout, so a hostile file costs that process only.
"""

import hashlib
import io
import json
import logging
import resource
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_DOCX_MAIN = (
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
_WORKER = Path(__file__).with_name("extract_worker.py")

# Limits with their defaults; each can be changed in settings.
DEFAULTS = {
    "LIBRARY_DOCX_MAX_ENTRIES": 1000,
    "LIBRARY_DOCX_MAX_UNPACKED_BYTES": 200 * 1024 * 1024,
    # A larger ratio of unpacked to packed size is a zip bomb, not a document.
    "LIBRARY_DOCX_MAX_RATIO": 200,
    "LIBRARY_PDF_MAX_PAGES": 2000,
    "LIBRARY_EXTRACT_TIMEOUT": 30.0,
    "LIBRARY_EXTRACT_CPU_SECONDS": 20,
    "LIBRARY_EXTRACT_MEMORY_MB": 768,
}


def limit(name: str):
    """A limit from settings, or its default."""
    return getattr(settings, name, DEFAULTS[name])


@dataclass(frozen=True)
class Kind:
    """A kind of file we accept: its media type, name endings and name for people."""

    code: str
    media_type: str
    suffixes: tuple[str, ...]
    label: str


KINDS = {
    kind.code: kind
    for kind in (
        Kind("pdf", "application/pdf", (".pdf",), gettext_lazy("a PDF file")),
        Kind("docx", DOCX_TYPE, (".docx",), gettext_lazy("a Word document (.docx)")),
        Kind("html", "text/html", (".html", ".htm"), gettext_lazy("an HTML page")),
        Kind("text", "text/plain", (".txt", ".text"), gettext_lazy("plain text")),
    )
}
# What other contents are, for the refusal message.
_OTHER_LABELS = {
    "docm": gettext_lazy("a Word document with macros"),
    "zip": gettext_lazy("a zip archive"),
    "svg": gettext_lazy("an SVG image"),
    "xml": gettext_lazy("an XML file"),
    "executable": gettext_lazy("a program"),
    "binary": gettext_lazy("binary data"),
}


class UploadRefused(Exception):
    """A file that is not accepted, with the reason in the visitor's language."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Extracted:
    """What was read from an accepted file."""

    kind: Kind
    text: str
    title: str
    size: int
    sha256: str


def _zip_kind(data: bytes) -> str:
    """ "docx", "docm" or "zip", after checking the archive's size before unpacking."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return "binary"
    max_entries = limit("LIBRARY_DOCX_MAX_ENTRIES")
    if len(entries) > max_entries:
        raise UploadRefused(
            _(
                "The Word document holds too many parts (%(count)s; at most "
                "%(limit)s). Nothing was stored."
            )
            % {"count": len(entries), "limit": max_entries},
            "too_many_entries",
        )
    unpacked = sum(entry.file_size for entry in entries)
    packed = max(sum(entry.compress_size for entry in entries), 1)
    max_unpacked = limit("LIBRARY_DOCX_MAX_UNPACKED_BYTES")
    if unpacked > max_unpacked or unpacked / packed > limit("LIBRARY_DOCX_MAX_RATIO"):
        raise UploadRefused(
            _(
                "The Word document would unpack to %(size)s, far more than a "
                "document needs; it is refused as a possible zip bomb. Nothing "
                "was stored."
            )
            % {"size": filesizeformat(unpacked)},
            "zip_bomb",
        )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names:
        return "zip"
    with archive.open("[Content_Types].xml") as handle:
        types = handle.read(1024 * 1024)
    if b"macroEnabled" in types or any(n.endswith("vbaProject.bin") for n in names):
        return "docm"
    if _DOCX_MAIN in types and "word/document.xml" in names:
        return "docx"
    return "zip"


def sniff(data: bytes) -> str:
    """What a file's bytes are, whatever its name says."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith((b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        return "executable"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = head.decode("utf-16", errors="ignore")
        except UnicodeDecodeError:
            return "binary"
    else:
        if b"\x00" in head:
            return "binary"
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lowered = text.lstrip().lower()
    if "<svg" in lowered[:2048] and "<html" not in lowered[:2048]:
        return "svg"
    if lowered.startswith(("<!doctype html", "<html")) or any(
        marker in lowered[:2048]
        for marker in ("<head", "<body", "<script", "<iframe", "<meta ", "<title")
    ):
        return "html"
    if lowered.startswith("<?xml"):
        return "xml"
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\n\r\f")
    if controls > len(text) // 100:
        return "binary"
    return "text"


def _kind_for_name(name: str) -> Kind:
    suffix = PurePath(name).suffix.lower()
    for kind in KINDS.values():
        if suffix in kind.suffixes:
            return kind
    raise UploadRefused(
        _(
            "Only PDF, Word (.docx), HTML and plain-text (.txt) files can be added. "
            "Nothing was stored."
        ),
        "unsupported",
    )


def check_size(size: int) -> None:
    """Refuse an empty file, or one over the size limit, by its size alone."""
    max_bytes = settings.LIBRARY_MAX_UPLOAD_BYTES
    if not size:
        raise UploadRefused(_("The file is empty. Nothing was stored."), "empty")
    if size > max_bytes:
        raise UploadRefused(
            _("The file is larger than %(limit)s. Nothing was stored.")
            % {"limit": filesizeformat(max_bytes)},
            "too_large",
        )


def check(*, name: str, data: bytes) -> Kind:
    """The kind of an uploaded file, or UploadRefused saying why it is refused."""
    check_size(len(data))
    expected = _kind_for_name(name)
    actual = sniff(data)
    if actual != expected.code:
        if actual == "docm":
            raise UploadRefused(
                _(
                    "Word documents with macros are not accepted: save it as a "
                    ".docx document without macros. Nothing was stored."
                ),
                "macros",
            )
        label = KINDS[actual].label if actual in KINDS else _OTHER_LABELS[actual]
        raise UploadRefused(
            _(
                "“%(name)s” is named as %(expected)s, but its content is "
                "%(actual)s. Nothing was stored."
            )
            % {
                "name": PurePath(name).name[:100],
                "expected": expected.label,
                "actual": label,
            },
            "mismatch",
        )
    return expected


def _jail() -> None:  # pragma: no cover - runs in the child before exec
    cpu = int(limit("LIBRARY_EXTRACT_CPU_SECONDS"))
    memory = int(limit("LIBRARY_EXTRACT_MEMORY_MB")) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _run_worker(kind: Kind, data: bytes) -> dict:
    try:
        completed = subprocess.run(  # noqa: S603 - our interpreter and our script
            [
                sys.executable,
                "-I",
                str(_WORKER),
                kind.code,
                str(limit("LIBRARY_PDF_MAX_PAGES")),
            ],
            input=data,
            capture_output=True,
            timeout=float(limit("LIBRARY_EXTRACT_TIMEOUT")),
            preexec_fn=_jail,  # noqa: PLW1509 - the web workers are single-threaded
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1"},
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise UploadRefused(
            _("Reading the file took too long, so it was stopped. Nothing was stored."),
            "timeout",
        ) from error
    if completed.returncode != 0:
        logger.warning(
            "library.extract.failed",
            extra={
                "returncode": completed.returncode,
                "stderr": completed.stderr[-500:],
            },
        )
        raise UploadRefused(
            _(
                "Reading the file needed more time or memory than allowed, so it "
                "was stopped. Nothing was stored."
            ),
            "limits",
        )
    try:
        result = json.loads(completed.stdout)
    except ValueError as error:
        raise UploadRefused(_damaged(), "damaged") from error
    if result.get("error") == "encrypted":
        raise UploadRefused(
            _(
                "The PDF file is encrypted: add a copy that opens without a "
                "password. Nothing was stored."
            ),
            "encrypted",
        )
    if "error" in result:
        raise UploadRefused(_damaged(), "damaged")
    return result


def _damaged() -> str:
    return _("The file could not be read: it seems damaged. Nothing was stored.")


def extract(*, name: str, data: bytes) -> Extracted:
    """Check an upload and read its text; UploadRefused says why a file is refused."""
    from .text import plain_text

    kind = check(name=name, data=data)
    result = _run_worker(kind, data)
    return Extracted(
        kind=kind,
        text=plain_text(result.get("text", ""), limit=settings.LIBRARY_MAX_BODY_CHARS),
        title=plain_text(result.get("title", ""), limit=500, single_line=True),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
