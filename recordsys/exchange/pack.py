"""Building a document envelope from plain metadata and files: what ``exchange pack`` sends.

``envelope_for_document`` takes a dict (as the DB-backed command will assemble it), the files as
``(name, path)`` pairs and the recipients' organ ids, and returns the edXML bytes. Files other than
pdf/doc/docx/xls/zip are zipped and sent as ``application/zip`` under their original name.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from recordsys.exchange.codes import BusinessDocType, is_party_id
from recordsys.exchange.edxml import write_document_envelope
from recordsys.exchange.model import (
    Attachment,
    Business,
    DocumentEnvelope,
    DocumentType,
    Organization,
    OtherInfo,
    ResponseFor,
    SignerInfo,
)

#: sent as they are; anything else is zipped (QCVN 102 clients do the same)
SENT_AS_IS = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".zip": "application/zip",
}
REQUIRED = ("sender_id", "sender_name", "code_number", "code_notation", "promulgation_date", "document_type",
            "subject")


def _fail(vi: str, en: str) -> ValueError:
    return ValueError(f"{vi} / {en}")


def _date(value, key: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    for fmt in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(str(value), fmt).date()
        except ValueError:
            continue
    raise _fail(f"Trường {key} không phải ngày (yyyy-mm-dd): {value!r}.", f"{key} is not a date (yyyy-mm-dd): {value!r}.")


def attachment_for(name: str, path: Path | str) -> Attachment:
    """The file at ``path`` as sent under ``name``: as is for pdf/doc/docx/xls/zip, else zipped."""
    data = Path(path).read_bytes()
    content_type = SENT_AS_IS.get(Path(name).suffix.lower())
    if content_type:
        return Attachment(name, content_type, data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return Attachment(name, "application/zip", buffer.getvalue())


def _response_for(items) -> tuple[ResponseFor, ...]:
    return tuple(ResponseFor(organ_id=i["organ_id"], code=i.get("code", ""),
                             promulgation_date=_date(i.get("promulgation_date"), "response_for.promulgation_date"),
                             document_id=i["document_id"]) for i in items or ())


def envelope_for_document(meta: dict, files: list[tuple[str, str | Path]], to: list[str], *,
                          now: dt.datetime | None = None) -> bytes:
    """The edXML bytes of a document message.

    ``meta`` keys (required first): sender_id, sender_name, code_number, code_notation,
    promulgation_date (date or "yyyy-mm-dd"), document_type (int), subject; optional:
    document_type_name, place, content, signer_name, signer_position, signer_competence, due_date,
    priority, page_amount, to_places, recipient_names ({organ id: name}), business_type (0–3),
    business_reason, response_for (list of {organ_id, code, promulgation_date, document_id}),
    document_id (the header's DocumentId when it is not the one made from the code: an update or a
    revocation keeps the earlier document's), business_document_id, update_info (``UpdateInfo``),
    replaced_document_ids (a replacement's earlier DocumentIds).
    Raises ``ValueError`` (Vietnamese / English) for missing or malformed values.
    """
    missing = [k for k in REQUIRED if meta.get(k) in (None, "")]
    if missing:
        raise _fail(f"Thiếu thông tin: {', '.join(missing)}.", f"Missing metadata: {', '.join(missing)}.")
    if not to:
        raise _fail("Chưa chọn nơi nhận.", "No recipient was chosen.")
    for organ_id in [meta["sender_id"], *to]:
        if not is_party_id(organ_id):
            raise _fail(f"Mã cơ quan '{organ_id}' không đúng dạng (000.00.00.H41).",
                        f"The organ id '{organ_id}' does not have the expected shape (000.00.00.H41).")
    names = meta.get("recipient_names") or {}
    envelope = DocumentEnvelope(
        sender=Organization(meta["sender_id"], meta["sender_name"], meta.get("sender_in_charge", "")),
        recipients=tuple(Organization(o, names.get(o, "")) for o in to),
        code_number=str(meta["code_number"]), code_notation=meta["code_notation"],
        promulgation_date=_date(meta["promulgation_date"], "promulgation_date"),
        promulgation_place=meta.get("place", ""),
        document_type=DocumentType(int(meta["document_type"]), meta.get("document_type_name", "")),
        subject=meta["subject"], content=meta.get("content", ""),
        signer=SignerInfo(meta.get("signer_name", ""), meta.get("signer_position", ""),
                          meta.get("signer_competence", "")),
        due_date=_date(meta.get("due_date"), "due_date"), to_places=tuple(meta.get("to_places", ())),
        other_info=OtherInfo(priority=int(meta.get("priority", 0)), page_amount=meta.get("page_amount")),
        response_for=_response_for(meta.get("response_for")),
        business=Business(BusinessDocType(int(meta.get("business_type", 0))), meta.get("business_reason", ""),
                          document_id=meta.get("business_document_id", ""),
                          replaced_document_ids=tuple(meta.get("replaced_document_ids", ())),
                          update=meta.get("update_info")),
        document_id=meta.get("document_id", ""),
        attachments=tuple(attachment_for(name, path) for name, path in files))
    return write_document_envelope(envelope, now=now)
