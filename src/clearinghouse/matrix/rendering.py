"""Builds the matrix's cells as HTML in one pass.

Rendering thousands of cells through the template engine costs far more than
assembling them here from pieces escaped once per institution and role.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from .models import ROLE_ABBREVIATIONS, MandateStatus, RoleCode
from .selectors import Entry, Matrix, SummaryMatrix


@dataclass
class GridRow:
    """An issue row with one HTML cell per column."""

    issue: object
    cells: list[SafeString]
    empty: bool
    # The flag of concerns recorded against the issue itself ("" for none).
    flag: SafeString = mark_safe("")  # noqa: S308 - empty

    @property
    def cells_html(self) -> SafeString:
        """The row's cells as table cells, joined once here, not in the template."""
        return mark_safe("".join(f"<td>{cell}</td>" for cell in self.cells))  # noqa: S308 - cells are built from escaped parts


@dataclass
class GridBlock:
    """An area heading and its rows."""

    area: object
    rows: list[GridRow]


class _Pieces:
    """Escaped fragments reused across cells."""

    def __init__(self, matrix: Matrix) -> None:
        placeholder = reverse(
            "matrix:cell", kwargs={"issue": "ISSUE", "institution": "INSTITUTION"}
        )
        self.url_head, rest = placeholder.split("ISSUE", 1)
        self.url_middle, self.url_tail = rest.split("INSTITUTION", 1)
        self.roles = {
            code: (escape(str(ROLE_ABBREVIATIONS[RoleCode(code)])), escape(str(label)))
            for code, label in RoleCode.choices
        }
        self.status = {
            code: escape(str(label))
            for code, label in MandateStatus.choices
            if code != MandateStatus.ACTIVE
        }
        self.names = {
            institution.pk: (escape(institution.short_name), escape(institution.name))
            for institution in matrix.institutions
        }
        self.role_texts: dict[int, tuple[str, str]] = {}
        self.concern_mark: dict[int, str] = {}

    def url(self, entry: Entry) -> str:
        return (
            f"{self.url_head}{entry.issue.slug}{self.url_middle}"
            f"{entry.institution.slug}{self.url_tail}"
        )

    def role_text(self, entry: Entry) -> tuple[str, str]:
        # Entries with the same roles share one list object (see selectors).
        texts = self.role_texts.get(id(entry.roles))
        if texts is None:
            texts = (
                " ".join(self.roles[code][0] for code in entry.roles),
                ", ".join(self.roles[code][1] for code in entry.roles),
            )
            self.role_texts[id(entry.roles)] = texts
        return texts

    def extras(self, entry: Entry) -> str:
        parts = ""
        if entry.status != MandateStatus.ACTIVE:
            parts += f' <small class="st">({self.status[entry.status]})</small>'
        return parts + self.concern_flag(entry.concerns)

    def concern_flag(self, count: int) -> str:
        """A flag saying how many concerns are recorded ("" for none)."""
        if not count:
            return ""
        mark = self.concern_mark.get(count)
        if mark is None:
            label = escape(
                ngettext("%(n)d concern", "%(n)d concerns", count) % {"n": count}
            )
            mark = (
                f' <span class="cn" title="{label}">⚑'
                f'<span class="vh">{label}</span></span>'
            )
            self.concern_mark[count] = mark
        return mark


def grid_rows(matrix: Matrix) -> list[GridBlock]:
    """Rows of cells, one cell per institution column."""
    pieces = _Pieces(matrix)
    column_of = {inst.pk: i for i, inst in enumerate(matrix.institutions)}
    width = len(matrix.institutions)
    blocks = []
    for block in matrix.blocks:
        rows = []
        for row in block.rows:
            cells: list[list[str]] = [[] for _ in range(width)]
            for entry in row.entries:
                short_roles, full_roles = pieces.role_text(entry)
                _short_name, full_name = pieces.names[entry.institution.pk]
                cells[column_of[entry.institution.pk]].append(
                    f'<a class="e s-{entry.status}" href="{pieces.url(entry)}" '
                    f'title="{full_name}: {full_roles}">{short_roles}</a>'
                    + pieces.extras(entry)
                )
            rows.append(
                GridRow(
                    issue=row.issue,
                    cells=[mark_safe("".join(cell)) for cell in cells],  # noqa: S308 - built from escaped parts
                    empty=not row.entries,
                    flag=mark_safe(pieces.concern_flag(row.concerns)),  # noqa: S308 - built from escaped parts
                )
            )
        blocks.append(GridBlock(area=block.area, rows=rows))
    return blocks


def list_rows(matrix: Matrix) -> list[GridBlock]:
    """The same data for narrow screens: each issue with a list of its mandates."""
    pieces = _Pieces(matrix)
    blocks = []
    for block in matrix.blocks:
        rows = []
        for row in block.rows:
            items = []
            for entry in row.entries:
                _short, full_roles = pieces.role_text(entry)
                short_name, full_name = pieces.names[entry.institution.pk]
                items.append(
                    f'<li><a class="e s-{entry.status}" href="{pieces.url(entry)}">'
                    f'<abbr title="{full_name}">{short_name}</abbr></a>: '
                    f"{full_roles}{pieces.extras(entry)}</li>"
                )
            rows.append(
                GridRow(
                    issue=row.issue,
                    cells=[mark_safe("".join(items))],  # noqa: S308 - built from escaped parts
                    empty=not row.entries,
                    flag=mark_safe(pieces.concern_flag(row.concerns)),  # noqa: S308 - built from escaped parts
                )
            )
        blocks.append(GridBlock(area=block.area, rows=rows))
    return blocks


def summary_rows(matrix: SummaryMatrix) -> list[GridBlock]:
    """Rows of the summary matrix: per group, how many institutions and which roles.

    Each cell links to the issue page's list of that group's institutions.
    """
    roles = {
        code: (escape(str(ROLE_ABBREVIATIONS[RoleCode(code)])), escape(str(label)))
        for code, label in RoleCode.choices
    }
    order = list(RoleCode.values)
    anchors = [f"#group-{code}" for code, _label, _n in matrix.groups]
    cache: dict[tuple, str] = {}
    blocks = []
    for block in matrix.blocks:
        rows = []
        for row in block.rows:
            cells = []
            for index, cell in enumerate(row.cells):
                if not cell.institutions:
                    cells.append(mark_safe(""))  # noqa: S308 - empty
                    continue
                present = [code for code in order if code in cell.roles]
                key = (cell.institutions, cell.active, tuple(present))
                text = cache.get(key)
                if text is None:
                    short = " ".join(roles[code][0] for code in present)
                    text = cache[key] = (
                        f'>{cell.institutions}</a> <span class="r">{short}</span>'
                    )
                cells.append(
                    mark_safe(  # noqa: S308 - built from escaped parts
                        f'<a class="e" href="{row.issue.url}{anchors[index]}"{text}'
                    )
                )
            rows.append(GridRow(issue=row.issue, cells=cells, empty=row.empty))
        blocks.append(GridBlock(area=block.area, rows=rows))
    return blocks
