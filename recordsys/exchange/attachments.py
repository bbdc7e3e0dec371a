"""Attachments of a received envelope: base64 decoded in chunks with SHA-256 and size, the
unzipping of files a sender zipped under their own name (``application/zip`` not ending in
``.zip``), and the pairing of ``AttachmentEncoded`` with the manifest.
"""
from __future__ import annotations

import binascii
import hashlib
import io
import mimetypes
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from recordsys.exchange.lookup import child, children, path, text
from recordsys.exchange.model import EnvelopeError, ReceivedAttachment
from recordsys.exchange.safexml import ReadLimits, error

#: bytes decoded per step (a multiple of 4)
CHUNK = 4 * 256 * 1024
_WHITESPACE = b" \t\r\n\f\v"
_WHITESPACE_CHARS = [bytes([c]) for c in _WHITESPACE]
_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


class AttachmentError(ValueError):
    """An attachment that cannot be decoded; carries a bilingual ``EnvelopeError``."""

    def __init__(self, error: EnvelopeError):
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class Digest:
    size: int
    sha256: str


def check_base64(text: str | bytes) -> bytes:
    """``text`` as bytes, checked to be strict base64 (standard alphabet, line breaks and spaces
    anywhere, padding only at the end, a length without them a multiple of 4), without decoding or
    copying it; raises ``AttachmentError`` otherwise.

    One ``bytes.translate`` pass (C speed) deletes the alphabet: what is left is the whitespace and
    the padding, a few bytes per line, on which the rest is checked.
    """
    try:
        raw = text.encode("ascii") if isinstance(text, str) else bytes(text)
    except UnicodeEncodeError:
        raise AttachmentError(_bad_base64("có ký tự ngoài bảng chữ base64", "it has characters outside the base64 alphabet")) from None
    rest = raw.translate(None, _ALPHABET)
    if rest.translate(None, _WHITESPACE + b"="):
        raise AttachmentError(_bad_base64("có ký tự ngoài bảng chữ base64", "it has characters outside the base64 alphabet"))
    padding = rest.count(b"=")
    if padding > 2:
        raise AttachmentError(_bad_base64("thừa ký tự đệm '='", "excess padding '='"))
    if raw[len(raw.rstrip(b"=" + _WHITESPACE)):].count(b"=") != padding:
        raise AttachmentError(_bad_base64("ký tự đệm '=' không ở cuối", "padding '=' that is not at the end"))
    if (len(raw) - len(rest) + padding) % 4:
        raise AttachmentError(_bad_base64("độ dài không chia hết cho 4", "its length is not a multiple of 4"))
    return raw


def compact_base64(text: str | bytes) -> bytes:
    """``text`` checked (:func:`check_base64`) and without its line breaks and spaces."""
    raw = check_base64(text)
    return raw.translate(None, _WHITESPACE) if any(c in raw for c in _WHITESPACE_CHARS) else raw


def decode_base64(text: str | bytes, write: Callable[[bytes], object]) -> Digest:
    """Decode base64 ``text`` (line breaks and spaces allowed) chunk by chunk into ``write``.

    Raises ``AttachmentError`` for anything that is not strict base64 (see :func:`compact_base64`;
    once it passed, the lenient C decoder gives exactly what the strict one would, faster).
    """
    compact = memoryview(compact_base64(text))
    hasher, size = hashlib.sha256(), 0
    for start in range(0, len(compact), CHUNK):
        try:
            chunk = binascii.a2b_base64(compact[start:start + CHUNK])
        except (binascii.Error, ValueError) as exc:  # pragma: no cover - compact_base64 checked it
            raise AttachmentError(_bad_base64(str(exc), str(exc))) from None
        hasher.update(chunk)
        size += len(chunk)
        write(chunk)
    return Digest(size, hasher.hexdigest())


def _bad_base64(vi_reason: str, en_reason: str) -> EnvelopeError:
    return EnvelopeError("bad-base64", f"Tệp đính kèm không phải base64 hợp lệ ({vi_reason}).",
                         f"An attachment is not valid base64 ({en_reason}).")


def needs_unzip(name: str, content_type: str) -> bool:
    """A sender zipped a file that is not pdf/doc/docx/xls/zip and kept its original name."""
    return content_type.strip().lower() == "application/zip" and not name.lower().endswith(".zip")


def guess_content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def unzip_single(data: bytes, name: str, max_bytes: int) -> bytes:
    """The file ``name`` (or the only member) inside the zip ``data``, read at most ``max_bytes``.

    Raises ``AttachmentError`` for a broken zip, no matching member, or a member too large.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            chosen = [m for m in members if m.filename.rsplit("/", 1)[-1] == name] or members
            if len(chosen) != 1:
                raise AttachmentError(EnvelopeError(
                    "bad-zip", f"Tệp nén '{name}' không chứa đúng một tệp.",
                    f"The zipped attachment '{name}' does not hold exactly one file."))
            return _read_bounded(archive, chosen[0], name, max_bytes)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError,
            OSError) as exc:
        raise AttachmentError(EnvelopeError(
            "bad-zip", f"Không giải nén được tệp '{name}': {exc}.", f"The attachment '{name}' cannot be unzipped: {exc}.")
        ) from None


def _read_bounded(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, max_bytes: int) -> bytes:
    out = io.BytesIO()
    with archive.open(member) as handle:
        while chunk := handle.read(1024 * 1024):
            if out.tell() + len(chunk) > max_bytes:
                raise AttachmentError(EnvelopeError(
                    "zip-too-large", f"Tệp nén '{name}' giải nén vượt {max_bytes} byte, không được chấp nhận.",
                    f"The zipped attachment '{name}' unpacks to more than {max_bytes} bytes and is refused."))
            out.write(chunk)
    return out.getvalue()


def _content_key(value: str) -> str:
    value = value.strip().strip("<>")
    return value[4:] if value.lower().startswith("cid:") else value


def _manifest(envelope) -> dict[str, dict[str, str]]:
    refs = children(path(envelope, "edXMLBody", "edXMLManifest"), "Reference")
    return {_content_key(text(r, "ContentId")): {
        "name": text(r, "AttachmentName"), "content_type": text(r, "ContentType"),
        "description": text(r, "Description")} for r in refs}


def _one_attachment(node, refs: dict, limits: ReadLimits) -> ReceivedAttachment:
    content_id = text(node, "ContentId")
    ref = refs.get(_content_key(content_id), {})
    name = text(node, "AttachmentName") or ref.get("name", "")
    content_type = text(node, "ContentType") or ref.get("content_type", "") or "application/octet-stream"
    description = text(node, "Description") or ref.get("description", "")
    payload = path(node, "ContentTransferEncoded")
    buffer = io.BytesIO()
    digest = decode_base64("".join(payload.itertext()) if payload is not None else "", buffer.write)
    data, unzipped = buffer.getvalue(), False
    if needs_unzip(name, content_type):
        data, unzipped = unzip_single(data, name, limits.max_unzipped_bytes), True
        content_type = guess_content_type(name)
        digest = Digest(len(data), hashlib.sha256(data).hexdigest())
    return ReceivedAttachment(content_id=content_id, name=name, content_type=content_type,
                              description=description, size=digest.size, sha256=digest.sha256,
                              data=data, unzipped=unzipped)


def read_attachments(root, envelope, limits: ReadLimits, notes, decode: bool = True) -> tuple[ReceivedAttachment, ...]:
    """The files of ``AttachmentEncoded`` (beside or inside the envelope), named from the manifest
    when the attachment omits it; problems go to ``notes.errors`` / ``notes.warnings``.

    ``decode=False`` (the hub's acceptance): each attachment is only checked to be strict base64;
    none is decoded, unzipped or hashed, and none is returned. The receiving agency's inbox reads
    them in full.
    """
    holder = child(root, "AttachmentEncoded")
    if holder is None:
        holder = child(envelope, "AttachmentEncoded")
    refs, found = _manifest(envelope), []
    for node in children(holder, "Attachment"):
        try:
            if not decode:
                payload = path(node, "ContentTransferEncoded")  # its text as bytes straight from libxml2
                check_base64(etree.tostring(payload, method="text", encoding="utf-8", with_tail=False)
                             if payload is not None else b"")
                continue
            found.append(_one_attachment(node, refs, limits))
        except AttachmentError as exc:
            notes.errors.append(exc.error)
    if decode and len(found) < len(refs):
        notes.warnings.append(error("attachment-missing",
                                    "Danh mục (Manifest) kê nhiều tệp hơn số tệp đính kèm thực có.",
                                    "The manifest lists more files than the envelope carries."))
    return tuple(found)
