"""Document numbers and symbols (số, ký hiệu) under Decree 30/2020/NĐ-CP: pure functions."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: register kinds: one running arrival/issue number each, per agency and calendar year
REGISTER_KINDS = ("incoming", "outgoing", "internal")

_SYMBOL_PART = r"[0-9A-Za-zĐđ]+(?:\.[0-9A-Za-zĐđ]+)*"
_NUMBER_AND_SYMBOL = re.compile(rf"^\s*(\d{{1,7}})\s*/\s*({_SYMBOL_PART}(?:-{_SYMBOL_PART})*)\s*$")


@dataclass(frozen=True)
class NumberAndSymbol:
    number: int
    symbol: str

    def __str__(self) -> str:
        return f"{self.number:02d}/{self.symbol}"


def register_kind(direction: str, confidential: bool = False) -> str:
    """Confidential documents have their own numbering and register (Decree 30, art. 15)."""
    if direction not in REGISTER_KINDS:
        raise ValueError(f"direction must be one of {', '.join(REGISTER_KINDS)}, not {direction!r}")
    return f"{direction}-confidential" if confidential else direction


def format_number_and_symbol(number: int, agency: str, type_abbreviation: str | None = None,
                             unit: str | None = None) -> str:
    """``15/QĐ-UBND`` for a typed document; ``15/UBND-VP`` for an official letter (công văn),
    which has no type abbreviation and names the drafting unit instead."""
    if number < 1:
        raise ValueError("numbers start at 01 each year")
    parts = [p for p in (type_abbreviation, agency, unit) if p]
    return str(NumberAndSymbol(number, "-".join(parts)))


def parse_number_and_symbol(text: str) -> NumberAndSymbol:
    """Read ``15/QĐ-UBND`` (spaces tolerated, NFC-normalised); ValueError with a sentence otherwise."""
    match = _NUMBER_AND_SYMBOL.match(unicodedata.normalize("NFC", text or ""))
    if not match:
        raise ValueError(f"{text!r} is not a number and symbol such as 15/QĐ-UBND")
    return NumberAndSymbol(int(match.group(1)), match.group(2))
