"""An in-process BM25 over the library's text folding, used only when the search
backend is not installed, so that full text is still measured on the same terms."""

import math
import re
from collections import Counter

from clearinghouse.library.text import fold

_WORD = re.compile(r"\w+")


def _han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


def tokens(text: str) -> list[str]:
    """Folded words; runs of Chinese characters as overlapping bigrams."""
    out = []
    for word in _WORD.findall(fold(text)):
        if any(_han(c) for c in word):
            run = [c for c in word if _han(c)]
            out += ["".join(run[i : i + 2]) for i in range(max(1, len(run) - 1))]
            out += [w for w in re.split(r"[\u3400-\u9fff]+", word) if w]
        else:
            out.append(word)
    return out


class BM25:
    """Okapi BM25 (k1 = 1.2, b = 0.75) over a fixed set of documents."""

    def __init__(self, docs: dict[int, str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tf = {pk: Counter(tokens(text)) for pk, text in docs.items()}
        self.length = {pk: sum(tf.values()) for pk, tf in self.tf.items()}
        self.avg = sum(self.length.values()) / max(1, len(self.length))
        df = Counter(t for tf in self.tf.values() for t in tf)
        n = len(self.tf)
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}

    def search(self, q: str, filters: dict, limit: int) -> list[int]:
        terms = set(tokens(q))
        scores = {}
        for pk, tf in self.tf.items():
            s = 0.0
            for t in terms:
                f = tf.get(t)
                if f:
                    norm = f + self.k1 * (
                        1 - self.b + self.b * self.length[pk] / self.avg
                    )
                    s += self.idf[t] * f * (self.k1 + 1) / norm
            if s > 0:
                scores[pk] = s
        return sorted(scores, key=lambda pk: (-scores[pk], pk))[:limit]
