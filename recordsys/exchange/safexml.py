"""Hardened XML parsing for received envelopes: no DTD, no entities, no network, bounded size and depth.

libxml2's ``huge_tree`` guard is switched off on purpose: it caps a text node at 10 MB, so any
attachment over ~7 MB (base64 in one ``ContentTransferEncoded``) would be refused. What that guard
protects against is covered here instead: the whole input is capped (``max_bytes``, 64 MB by
default), nesting is capped (``max_depth``), and DOCTYPE/ENTITY declarations are refused outright,
so no entity can be expanded.

``parse_untrusted`` never raises for bad input: it returns the root element or an ``EnvelopeError``
saying why the bytes were refused, in Vietnamese and English.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

from lxml import etree

from recordsys.exchange.model import EnvelopeError

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_DEPTH = 32
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what a received envelope may cost us (settings ``exchange.max_bytes`` …)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    #: total bytes an unzipped attachment may grow to (a zip bomb stops here)
    max_unzipped_bytes: int = 4 * DEFAULT_MAX_BYTES

    @classmethod
    def from_settings(cls, settings: dict) -> ReadLimits:
        """Limits from ``exchange.max_bytes``, ``exchange.max_depth``, ``exchange.max_unzipped_bytes``
        (environment: ``RECORDSYS_EXCHANGE__MAX_BYTES`` …); defaults for those not set.

        Raises ``ValueError`` (Vietnamese / English) for a value that is not a positive integer.
        """
        values = {}
        for name in ("max_bytes", "max_depth", "max_unzipped_bytes"):
            raw = settings.get(f"exchange.{name}")
            if raw in (None, ""):
                continue
            try:
                values[name] = int(str(raw).strip())
            except ValueError:
                values[name] = 0
            if values[name] <= 0:
                raise ValueError(f"Thiết lập exchange.{name} phải là số nguyên dương, không phải {raw!r}. / "
                                 f"The setting exchange.{name} must be a positive integer, not {raw!r}.")
        return cls(**values)


def own_parser() -> etree.XMLParser:
    """A parser for bytes that passed ``parse_untrusted`` (or that we wrote): no entities, no network,
    no DTD, large text nodes allowed. Comments and processing instructions are kept (signatures cover them).
    """
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


class _TooDeep(Exception):
    pass


def error(code: str, vi: str, en: str) -> EnvelopeError:
    return EnvelopeError(code, vi, en)


def too_large(size: int, limit: int) -> EnvelopeError:
    return error("too-large",
                 f"Gói tin có {size} byte, vượt giới hạn {limit} byte; hãy đề nghị bên gửi chia nhỏ hoặc "
                 "tăng giới hạn exchange.max_bytes.",
                 f"The envelope has {size} bytes, over the limit of {limit}; ask the sender to split it "
                 "or raise exchange.max_bytes.")


def _refuse_declarations(data: bytes) -> EnvelopeError | None:
    first = _FIRST_ELEMENT.search(data)
    prolog = data[: first.start()] if first else data
    if _DECLARATION.search(prolog):
        return error("doctype",
                     "Gói tin có khai báo DOCTYPE/ENTITY, không được chấp nhận vì lý do an toàn; "
                     "hãy yêu cầu bên gửi bỏ khai báo này.",
                     "The envelope declares a DOCTYPE/ENTITY, which is refused for safety; "
                     "ask the sender to remove it.")
    return None


def _iterparse(data: bytes, max_depth: int) -> etree._Element:
    events = etree.iterparse(
        io.BytesIO(data), events=("start", "end"), resolve_entities=False, no_network=True,
        load_dtd=False, dtd_validation=False, huge_tree=True, remove_comments=True, remove_pis=True)
    depth = 0
    for event, _element in events:
        depth += 1 if event == "start" else -1
        if depth > max_depth:
            raise _TooDeep()
    return events.root


def parse_untrusted(data: bytes, limits: ReadLimits | None = None) -> tuple[etree._Element | None,
                                                                            EnvelopeError | None]:
    """Parse ``data`` under ``limits``; ``(root, None)`` or ``(None, error)``, never an exception."""
    limits = limits or ReadLimits()
    if not isinstance(data, (bytes, bytearray)):
        return None, error("not-bytes", "Dữ liệu đầu vào không phải chuỗi byte.", "The input is not bytes.")
    if len(data) > limits.max_bytes:
        return None, too_large(len(data), limits.max_bytes)
    if not bytes(data).strip():
        return None, error("empty", "Tệp rỗng, không phải gói tin edXML.", "The file is empty, not an edXML envelope.")
    refused = _refuse_declarations(bytes(data))
    if refused:
        return None, refused
    try:
        root = _iterparse(bytes(data), limits.max_depth)
    except _TooDeep:
        return None, error("too-deep",
                           f"Gói tin lồng nhau quá {limits.max_depth} cấp, không được chấp nhận.",
                           f"The envelope is nested deeper than {limits.max_depth} levels and is refused.")
    except etree.XMLSyntaxError as exc:
        return None, error("not-xml",
                           f"Tệp không phải XML hợp lệ (có thể bị cắt cụt): {exc}. Hãy đề nghị bên gửi gửi lại.",
                           f"The file is not well-formed XML (perhaps truncated): {exc}. Ask the sender to resend it.")
    except (ValueError, MemoryError, OSError) as exc:  # lxml raises these for encodings, limits
        return None, error("not-xml", f"Không đọc được XML: {exc}.", f"The XML could not be read: {exc}.")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        return None, _refuse_declarations(b"<!DOCTYPE")
    return root, None
