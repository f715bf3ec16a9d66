"""The evaluation set: documents, queries and relevance, read from this folder."""

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
# File names use "zh"; the library's language code is "zh-hans".
LANGUAGES = {
    "en": "en",
    "fr": "fr",
    "es": "es",
    "ru": "ru",
    "ar": "ar",
    "zh": "zh-hans",
}


@dataclass(frozen=True)
class EvalDocument:
    key: str  # "fr-07": language file and line
    language: str  # the library's code
    issues: tuple[str, ...]
    title: str
    text: str

    @property
    def tuning(self) -> bool:
        """Every third document of a file is in the tuning split (thresholds only)."""
        return int(self.key.rsplit("-", 1)[1]) % 3 == 0


@dataclass(frozen=True)
class Query:
    language: str
    issue: str
    text: str


def _rows(path: Path) -> list[list[str]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 3 or not all(c.strip() for c in cells):
            raise ValueError(
                f"{path.name}:{number}: expected three tab-separated cells"
            )
        rows.append(cells)
    return rows


def documents() -> list[EvalDocument]:
    out = []
    for short, code in LANGUAGES.items():
        for n, (issues, title, text) in enumerate(
            _rows(HERE / "documents" / f"{short}.tsv"), 1
        ):
            out.append(
                EvalDocument(
                    f"{short}-{n:02d}", code, tuple(issues.split(",")), title, text
                )
            )
    return out


def queries(name: str = "queries.tsv") -> list[Query]:
    """The evaluation queries (or, by name, the separate tuning queries)."""
    return [
        Query(LANGUAGES[lang], issue, text) for lang, issue, text in _rows(HERE / name)
    ]


def relevant(query: Query, docs: list[EvalDocument]) -> set[str]:
    """The documents tagged by hand with the query's issue."""
    return {d.key for d in docs if query.issue in d.issues}
