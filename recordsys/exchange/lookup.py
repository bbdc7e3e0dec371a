"""Tolerant access to received XML: elements by local name (any prefix, any namespace) and
dates and numbers in the spellings real senders use.
"""
from __future__ import annotations

import datetime as dt

DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%d/%m/%Y")
TIMESTAMP_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S")


def local(element) -> str:
    """The local name of an element ("" for comments and processing instructions)."""
    tag = element.tag
    return tag[tag.rfind("}") + 1:] if isinstance(tag, str) else ""  # "{namespace}name" or "name"


def children(parent, *names: str) -> list:
    """The children of ``parent`` (None allowed) whose local name is one of ``names``, in order."""
    if parent is None:
        return []
    return [c for c in parent if local(c) in names]


def child(parent, *names: str):
    """The first such child, or None."""
    if parent is None:
        return None
    return next((c for c in parent if local(c) in names), None)


def path(parent, *steps: str):
    """The element reached by ``steps`` (each a local name, alternatives joined by "|"), or None."""
    for step in steps:
        parent = child(parent, *step.split("|"))
    return parent


def text(parent, *steps: str) -> str:
    """The stripped text at ``path(parent, *steps)``; "" when absent."""
    node = path(parent, *steps)
    return "".join(node.itertext()).strip() if node is not None else ""


def parse_date(value: str) -> dt.date | None:
    """``yyyy/MM/dd`` (also ``yyyy-MM-dd``, ``dd/MM/yyyy``, a time part ignored), or None."""
    head = value.strip().split(" ")[0].split("T")[0]
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    return None


def parse_timestamp(value: str) -> dt.datetime | None:
    """``yyyy/MM/dd HH:mm:ss`` (also ISO-like and ``dd/MM/yyyy`` spellings, a date alone), or None."""
    value = value.strip().split(".")[0]
    for fmt in TIMESTAMP_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    day = parse_date(value)
    return dt.datetime.combine(day, dt.time()) if day else None


def as_int(value: str, default: int | None = None) -> int | None:
    """``value`` as an integer, else ``default``."""
    try:
        return int(value.strip())
    except (ValueError, AttributeError):
        return default
