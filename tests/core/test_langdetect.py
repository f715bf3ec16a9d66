"""Language detection among the six working languages."""

import pytest

from clearinghouse.core.langdetect import UNKNOWN, detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le pourriel est un fléau qui coûte cher aux pays en développement.", "fr"),
        ("El correo no deseado perjudica sobre todo a los países en desarrollo.", "es"),
        ("Spam is a scourge that costs developing countries dearly.", "en"),
        ("البريد الإلكتروني غير المرغوب فيه", "ar"),
        ("垃圾邮件", "zh-hans"),
        ("Спам", "ru"),
        ("Спам наносит ущерб развивающимся странам.", "ru"),
    ],
)
def test_detects_each_language(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "12345 !!", "spam", "ok merci", None])
def test_too_short_or_empty_is_unknown(text):
    assert detect_language(text) == UNKNOWN


def test_long_text_looks_at_its_start_only():
    text = "La gouvernance de l'Internet concerne tous les pays. " * 5000
    assert detect_language(text) == "fr"
