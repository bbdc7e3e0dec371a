"""Certified copies (bản sao y) of archived PDF documents for a reader: the agency's PAdES signature
added to a copy of the original, as an incremental update, so the original's own signatures stay
in the file and keep validating.

The copy is marked as a copy where Decree 30/2020/NĐ-CP places it for an electronic copy: at the
top right of the first page, the form of copy ("SAO Y"), the copying agency, the copy's number and
the signing time (ISO 8601, Vietnam time), with no seal image. A document certified by its signer
(DocMDP) takes no new visible signature field; its copy gets the agency's signature invisible, with
the same marking in the signature's reason, so the original's certification stays valid.

``signer`` is whatever the signer provider service (``ISignerProvider.for_agency``) returns: an
object with ``name`` and a context manager ``open()`` yielding a pyHanko signer.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from recordsys.i18n import LocalizedError

COPY_FIELD = "ChuKySaoY"  # the agency's signature on the copy
COPY_FORM = "SAO Y"  # hình thức sao
VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7), "ICT")
#: the box, in points: width, height, margin from the right edge, margin from the top edge
BOX = (220.0, 58.0, 40.0, 18.0)


class CopyError(LocalizedError):
    """The certified copy could not be made; the sentence says why."""


def is_pdf(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(1024).lstrip().startswith(b"%PDF-")


def copy_box(media_box) -> tuple[int, int, int, int]:
    """The marking's rectangle: top right of the page."""
    _, _, x1, y1 = media_box
    width, height, right, top = BOX
    return (int(x1 - right - width), int(y1 - top - height), int(x1 - right), int(y1 - top))


def marking(agency: str, number: str, when: dt.datetime) -> str:
    """The text of the copy's marking (also its signature's reason when invisible)."""
    return f"{COPY_FORM}\n{agency}\nSố: {number}\nThời gian: {when.isoformat()}"


def certify_copy(source: Path, target: Path, signer, *, agency: str, number: str,
                 now: dt.datetime | None = None) -> bool:
    """Write ``target``: ``source`` with the agency's signature marking it a certified copy.
    Returns whether the marking is visible (False for an original certified by its signer).
    Raises CopyError with a sentence; ``target`` is then not written."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers

    from recordsys.pdffont import glyph_font

    source, target = Path(source), Path(target)
    when = (now or dt.datetime.now(dt.UTC)).astimezone(VIETNAM_TIME).replace(microsecond=0)
    text = marking(agency, number, when)
    if not is_pdf(source):
        raise CopyError("${name} is not a PDF: a certified copy is made of PDF documents only.",
                        mapping={"name": source.name})
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(source.read_bytes()), strict=False)
        certified = "/Perms" in writer.root and "/DocMDP" in writer.root["/Perms"]
        if writer.prev.encrypted:
            raise CopyError("${name} is encrypted: no certified copy can be made of it.", mapping={"name": source.name})
        box = None if certified else copy_box(_media_box(writer))
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise CopyError("${name} cannot be read as a PDF (${exc}): no certified copy was made.",
                        mapping={"name": source.name, "exc": exc}) from None
    part = target.with_name(f".{target.name}.part")
    try:
        with signer.open() as hanko_signer:
            fields.append_signature_field(writer, fields.SigFieldSpec(COPY_FIELD, box=box, on_page=0))
            meta = signers.PdfSignatureMetadata(
                field_name=COPY_FIELD, reason=text.replace("\n", " — "), name=signer.name,
                location="Việt Nam", subfilter=fields.SigSeedSubFilter.PADES)
            style = None
            if box is not None:
                from pyhanko import stamp
                from pyhanko.pdf_utils.text import TextBoxStyle

                style = stamp.TextStampStyle(
                    stamp_text="%(text)s", border_width=1, border_color=(0, 0, 0),
                    text_box_style=TextBoxStyle(font=glyph_font(CopyError), font_size=8))
            with open(part, "wb") as out:
                signers.PdfSigner(meta, signer=hanko_signer, stamp_style=style).sign_pdf(
                    writer, output=out, appearance_text_params={"text": text})
        part.replace(target)
    except LocalizedError:
        raise
    except (PdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CopyError("${name} could not be signed as a certified copy (${exc}).",
                        mapping={"name": source.name, "exc": exc}) from None
    finally:
        part.unlink(missing_ok=True)
    return box is not None


def _media_box(writer) -> tuple[float, ...]:
    node = writer.find_page_for_modification(0)[0].get_object()
    while "/MediaBox" not in node and "/Parent" in node:
        node = node["/Parent"].get_object()
    return tuple(float(v) for v in node.get("/MediaBox", (0, 0, 595.28, 841.89)))
