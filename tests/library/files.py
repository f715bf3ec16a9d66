"""Files for upload tests, built here: real PDFs, .docx, and hostile ones."""

import io
import zipfile


def pdf_bytes(text: str = "Spam and the developing world", *, title: str = "") -> bytes:
    """A one-page PDF whose page shows `text` in Helvetica (ASCII only)."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode()
    info = f"<< /Title ({title}) >>".encode() if title else b"<< >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        info,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()


def encrypted_pdf_bytes() -> bytes:
    """The PDF above, encrypted with a user password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(*paragraphs: str, title: str = "") -> bytes:
    """A Word document written by python-docx."""
    import docx

    document = docx.Document()
    for paragraph in paragraphs or ("Lutte contre le pourriel dans les pays.",):
        document.add_paragraph(paragraph)
    if title:
        document.core_properties.title = title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _rezip(data: bytes, *, transform) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(
                entry.filename, transform(entry.filename, source.read(entry))
            )
        return_extra = getattr(transform, "extra", None)
        if return_extra:
            return_extra(target)
    return out.getvalue()


def docm_bytes() -> bytes:
    """A macro-enabled Word document (what a .docm is), as the content types say."""

    def transform(name: str, content: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return content.replace(
                b"wordprocessingml.document.main+xml",
                b"ms-word.document.macroEnabled.main+xml",
            ).replace(
                b"application/vnd.openxmlformats-officedocument.ms-word",
                b"application/vnd.ms-word",
            )
        return content

    def extra(target: zipfile.ZipFile) -> None:
        target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 512)

    transform.extra = extra
    return _rezip(docx_bytes(), transform=transform)


def many_entries_docx_bytes(count: int = 10_000) -> bytes:
    """A valid .docx padded with `count` extra (tiny) zip entries."""

    def extra(target: zipfile.ZipFile) -> None:
        for number in range(count):
            target.writestr(f"padding/part{number}.xml", b"<a/>")

    def transform(name, content):
        return content

    transform.extra = extra
    return _rezip(docx_bytes(), transform=transform)


def zip_bomb_docx_bytes(unpacked_mb: int = 300) -> bytes:
    """A .docx with one entry of zeros that unpacks to `unpacked_mb` megabytes."""

    def extra(target: zipfile.ZipFile) -> None:
        with target.open("word/media/padding.bin", "w", force_zip64=True) as handle:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(unpacked_mb):
                handle.write(chunk)

    def transform(name, content):
        return content

    transform.extra = extra
    return _rezip(docx_bytes(), transform=transform)


HTML = (
    "<!doctype html><html><head><title>Gouvernance de l'Internet</title>"
    "<style>body{}</style><script>alert(1)</script></head><body>"
    "<h1>Lutte contre le pourriel</h1><p>Les pays en développement et la "
    "gouvernance de l’Internet : un état des lieux.</p></body></html>"
)
SVG = (
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    "<script>alert(1)</script></svg>"
)
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
    + b"\x00" * 200
    + b"PE\x00\x00"
)
