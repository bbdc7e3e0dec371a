"""Vietnamese folding: a query with or without diacritics finds the same words.

``fold`` maps every character to exactly one character (its base letter, lower-cased; đ/Đ → d,
which Unicode does not decompose), so positions in the folded text are positions in the original:
highlights found on folded text can be cut from the original text.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPECIAL = {"đ": "d", "Đ": "d", "ð": "d", "ı": "i", "ł": "l", "ø": "o", "æ": "a", "œ": "o", "ß": "s"}
WORD = re.compile(r"[0-9a-z]+")


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    if char in _SPECIAL:
        return _SPECIAL[char]
    base = unicodedata.normalize("NFD", char)[0]
    folded = base.lower()
    return folded if len(folded) == 1 else base


def fold(text: str) -> str:
    """Lower-case, without diacritics, đ → d; same length as the NFC input."""
    return "".join(fold_char(c) for c in unicodedata.normalize("NFC", text or ""))


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def symbol_key(number_and_symbol: str | None) -> str | None:
    """``15/QĐ-UBND``, ``15/qd-ubnd`` and ``15 / QĐ - UBND`` share one key: ``15/qd-ubnd``.
    Leading zeros of the number do not count (``05/TB`` is ``5/tb``)."""
    if not number_and_symbol:
        return None
    key = re.sub(r"\s+", "", fold(number_and_symbol))
    match = re.match(r"^0*(\d+)/(.+)$", key)
    return f"{match.group(1)}/{match.group(2)}" if match else None
