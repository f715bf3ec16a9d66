"""The interface is translated in full into the five other UN languages."""

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "src" / "clearinghouse" / "locale"
LANGUAGES = ["ar", "zh_Hans", "fr", "ru", "es"]


def _entries(path: Path) -> list[dict]:
    """Parse a .po file into entries: flags, msgid, msgid_plural, msgstr list."""
    entries, entry, key = [], {"flags": "", "msgstr": {}}, None

    def finish():
        if "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            entry, key = {"flags": "", "msgstr": {}}, None
        elif line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(key, int):
                entry["msgstr"][key] += text
            else:
                entry[key] += text
        else:
            word, _, rest = line.partition(" ")
            text = ast.literal_eval(rest)
            if word.startswith("msgstr["):
                key = int(word[7:-1])
                entry["msgstr"][key] = text
            elif word == "msgstr":
                key = 0
                entry["msgstr"][0] = text
            else:
                key = word
                entry[word] = text
    finish()
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete_with_no_fuzzy_entry(language):
    entries = _entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    messages = [e for e in entries if e["msgid"]]
    assert len(messages) > 200
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
    for entry in messages:
        assert all(entry["msgstr"].values()), entry["msgid"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for entry in _entries(folder / "django.po"):
        if not entry["msgid"] or "msgid_plural" in entry:
            continue
        key = entry["msgid"]
        if "msgctxt" in entry:
            key = f"{entry['msgctxt']}\x04{key}"
        assert compiled._catalog.get(key) == entry["msgstr"][0], entry["msgid"]


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("fr", "Matrice des questions de gouvernance de l'Internet"),
        ("es", "Matriz de cuestiones de gobernanza de Internet"),
        ("ru", "Матрица вопросов управления использованием Интернета"),
        ("ar", "مصفوفة قضايا إدارة الإنترنت"),
        ("zh-hans", "互联网治理议题和机构矩阵"),
    ],
)
@pytest.mark.django_db
def test_pages_speak_the_language_of_their_url(client, language, heading):
    html = client.get(f"/{language}/matrix/").content.decode()
    assert heading in html
    assert f'lang="{language}"' in html
    assert ('dir="rtl"' in html) == (language == "ar")
