"""Highlighted snippets cut from the original text, found on the folded text (same positions),
so both backends show the same snippets with the original diacritics."""
from __future__ import annotations

import html
import re
import unicodedata

from recordsys.search.folding import fold
from recordsys.search.query import ParsedQuery


def snippet(text: str, query: ParsedQuery, width: int = 160) -> str:
    """An HTML-escaped snippet with <mark> around matches, centred on the first match."""
    text = unicodedata.normalize("NFC", text or "")
    folded = fold(text)
    spans = []
    for term in query.terms:
        for word in term.words:
            pattern = rf"\b{re.escape(word)}" + (r"\w*" if term.prefix else r"\b")
            spans += [m.span() for m in re.finditer(pattern, folded)]
    spans = _merge(sorted(spans))
    if not spans:
        cut = text[:width]
        return html.escape(cut) + ("…" if len(text) > width else "")
    start = max(0, spans[0][0] - width // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + width)
    out, pos = [], start
    for a, b in spans:
        if a >= end:
            break
        if b <= start:
            continue
        out.append(html.escape(text[pos:a]))
        out.append(f"<mark>{html.escape(text[a:b])}</mark>")
        pos = b
    out.append(html.escape(text[pos:end]))
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")


def _merge(spans):
    merged = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged
