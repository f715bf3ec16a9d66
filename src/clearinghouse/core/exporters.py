"""Exporters turn a table (column keys, labels, rows) into a downloadable file.

A subclass sets `extension` and `content_type` and implements `render()`.
The same rows go to every format, so a filter selects the same records in
each export as on the page.
"""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# A spreadsheet treats a cell that starts with one of these as a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """A column: a stable machine key and a label for people."""

    key: str
    label: str


class Exporter:
    """Base class: render `rows` (dicts keyed by column key) as one file."""

    extension: str = ""
    content_type: str = ""

    def render(self, *, columns: Sequence[Column], rows: Iterable[dict]) -> bytes:
        """Return the file's bytes."""
        raise NotImplementedError


def _cell_text(value) -> str:
    """A cell as text that no spreadsheet program runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = "; ".join(str(item) for item in value)
    elif not isinstance(value, str):
        return str(value)
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


class CsvExporter(Exporter):
    """RFC 4180 CSV in UTF-8, one header row of column keys."""

    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def render(self, *, columns: Sequence[Column], rows: Iterable[dict]) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        keys = [column.key for column in columns]
        writer.writerow(keys)
        for row in rows:
            writer.writerow([_cell_text(row.get(key)) for key in keys])
        return buffer.getvalue().encode("utf-8")


class JsonExporter(Exporter):
    """A JSON array of objects keyed by column key."""

    extension = "json"
    content_type = "application/json"

    def render(self, *, columns: Sequence[Column], rows: Iterable[dict]) -> bytes:
        keys = [column.key for column in columns]
        data = [{key: row.get(key) for key in keys} for row in rows]
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


class XlsxExporter(Exporter):
    """An Excel workbook: labels in the first row, keys in the second, then rows."""

    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def render(self, *, columns: Sequence[Column], rows: Iterable[dict]) -> bytes:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append([str(column.label) for column in columns])
        sheet.append([column.key for column in columns])
        for row in rows:
            cells = []
            for column in columns:
                value = row.get(column.key)
                if not isinstance(value, int | float) or isinstance(value, bool):
                    value = _cell_text(value)
                cells.append(WriteOnlyCell(sheet, value=value))
            sheet.append(cells)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


EXPORTERS: dict[str, Exporter] = {
    exporter.extension: exporter
    for exporter in (CsvExporter(), JsonExporter(), XlsxExporter())
}
