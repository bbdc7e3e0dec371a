"""User input → a safe, structured query. Never raises for odd input: control characters are
dropped, quotes may be unbalanced, operators are taken as words, long input is cut."""
from __future__ import annotations

import re
from dataclasses import dataclass

from recordsys.errors import DomainError
from recordsys.search.folding import symbol_key, words

MAX_QUERY = 500
MAX_TERMS = 32
_SYMBOL = re.compile(r"\b\d{1,7}\s*/\s*[0-9A-Za-zĐđ.]+(?:\s*-\s*[0-9A-Za-zĐđ.]+)*", re.UNICODE)
_OPERATORS = {"and", "or", "not"}


class QueryError(DomainError, ValueError):
    """A query that cannot be answered; the message (a catalog message id) says why."""

    code = "query"
    http_status = 400
    exit_code = 2

    def __init__(self, message: str, mapping: dict | None = None):
        super().__init__(message, field="q", mapping=mapping)


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # folded words; more than one for a phrase
    prefix: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...] = ()
    symbol: str | None = None  # number-and-symbol key to rank first
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not self.terms and not self.symbol


def parse_query(text: str | None) -> ParsedQuery:
    text = "".join(c if c.isprintable() else " " for c in (text or ""))
    truncated = len(text) > MAX_QUERY
    text = text[:MAX_QUERY]
    symbol = None
    match = _SYMBOL.search(text)
    if match:
        symbol = symbol_key(match.group(0))
    terms: list[Term] = []
    parts = text.split('"')
    for index, part in enumerate(parts):
        quoted = index % 2 == 1 and index < len(parts) - 1  # an unbalanced last quote opens nothing
        if quoted:
            phrase = tuple(words(part))
            if phrase:
                terms.append(Term(phrase))
            continue
        for raw in re.split(r"\s+", part):
            prefix = raw.endswith("*")
            for i, word in enumerate(words(raw)):
                if word in _OPERATORS and not prefix:
                    continue
                terms.append(Term((word,), prefix and i == len(words(raw)) - 1))
    unique = list(dict.fromkeys(terms))[:MAX_TERMS]
    return ParsedQuery(tuple(unique), symbol, truncated)
