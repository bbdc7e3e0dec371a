"""Signing outgoing documents (ký số văn bản đi) with pyHanko, by a software key or a PKCS#11 token.

Two signatures make an issued electronic document under Decree 30/2020/NĐ-CP, Appendix I:

1. the competent person's (người có thẩm quyền) PAdES signature, visible at the signature position:
   bottom right of the last page, showing name, title, time (ISO 8601, Vietnam time) and optionally
   the signature image. It is a *certification* signature whose DocMDP permission allows form
   filling and signing only; in the same revision it adds two empty read-only text fields for the
   number and symbol (số, ký hiệu) and the issue date, and the empty field of the seal (a certified
   document takes no new signature fields), whose FieldMDP lock covers the number and date;
2. at issue (``certify_issue``), one incremental update fills the number and date, then the agency's
   signature (the electronic seal) goes into its field, in red, overlapping the left third of the
   person's signature image, showing the agency name and the time. Both signatures stay valid; a
   later change of the number breaks the seal.

A signer is opened only for the moment of signing; every output is written to a temporary file
beside the target and renamed on success, so a failure never leaves a half-signed file.
"""
from __future__ import annotations

import abc
import contextlib
import datetime as dt
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from recordsys.i18n import LocalizedError
from recordsys.workflow.notation import date_line

VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7), "ICT")
LEADER_FIELD = "ChuKyLanhDao"  # the competent person's signature
SEAL_FIELD = "ChuKyCoQuan"  # the agency's signature (seal)
NUMBER_FIELD = "SoKyHieu"  # number and symbol, filled at issue
DATE_FIELD = "NgayBanHanh"  # issue date, filled at issue

#: the signature box, in points from the bottom-left corner of the last page: width, height, and
#: margins from the right and bottom edges (about 2 cm right margin, above the recipients' block)
SIGNATURE_SIZE = (200.0, 64.0)
SIGNATURE_MARGINS = (57.0, 90.0)
#: boxes for the number and the date, in points from the top-left corner of the first page
NUMBER_BOX = (57.0, 110.0, 260.0, 20.0)  # x, y from top, width, height: under the agency name
DATE_BOX = (300.0, 110.0, 240.0, 20.0)  # right of it, where "…, ngày … tháng … năm …" stands


class SigningError(LocalizedError):
    """Signing failed; ``localized(lang)`` says why in one sentence."""


# signers ------------------------------------------------------------------------------------
class Signer(abc.ABC):
    """Who signs (name, title shown in the appearance) and how the key is reached."""

    name: str
    title: str
    image: Path | None  # shown at the left of the appearance when given

    @abc.abstractmethod
    @contextlib.contextmanager
    def open(self) -> Iterator[object]:
        """Yield a ``pyhanko.sign.signers.Signer`` for the duration of one signature;
        SigningError with a clear sentence when the key cannot be used."""


def _load_certs(paths) -> list:
    from pyhanko.keys import load_certs_from_pemder

    return list(load_certs_from_pemder([str(p) for p in paths])) if paths else []


@dataclass
class SoftwareKeySigner(Signer):
    """A key in a file: PEM key + certificate, or a PKCS#12 bundle (``.p12``/``.pfx``)."""

    name: str
    title: str
    cert_path: Path | None = None
    key_path: Path | None = None
    pkcs12_path: Path | None = None
    passphrase: bytes | None = None
    ca_chain: tuple = ()
    image: Path | None = None  # the handwritten signature (or the seal), PNG/JPEG

    @contextlib.contextmanager
    def open(self):
        from pyhanko.sign import signers

        for path in (self.pkcs12_path, self.key_path, self.cert_path, *self.ca_chain):
            if path is not None and not Path(path).is_file():
                raise SigningError("The key or certificate file ${path} does not exist.", mapping={"path": path})
        try:
            if self.pkcs12_path:
                signer = signers.SimpleSigner.load_pkcs12(
                    str(self.pkcs12_path), ca_chain_files=[str(p) for p in self.ca_chain] or None,
                    passphrase=self.passphrase)
            else:
                signer = signers.SimpleSigner.load(
                    str(self.key_path), str(self.cert_path), ca_chain_files=[str(p) for p in self.ca_chain] or None,
                    key_passphrase=self.passphrase)
        except (ValueError, TypeError, OSError) as exc:
            signer, detail = None, exc
        else:
            detail = None
        if signer is None:
            raise SigningError("The signing key could not be read: check the key file and its passphrase${value}.", mapping={"value": f' ({detail})' if detail else ''})
        yield signer


@dataclass
class TokenSigner(Signer):
    """A key on a PKCS#11 token (USB token ký số, HSM): the module, token label, key label, PIN."""

    name: str
    title: str
    module: str
    token_label: str
    key_label: str
    pin: str
    cert_label: str | None = None  # defaults to the key label
    ca_chain: tuple = ()
    #: hash in Python and let the token only sign the digest (CKM_ECDSA, CKM_RSA_PKCS); None: for
    #: EC keys, whose hash-and-sign mechanisms many tokens (and SoftHSM) lack
    raw_mechanism: bool | None = None
    image: Path | None = None  # the handwritten signature (or the seal), PNG/JPEG

    @contextlib.contextmanager
    def open(self):
        import pkcs11
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11 as hanko_pkcs11
        from pyhanko.sign.general import SigningError as HankoSigningError

        if not Path(self.module).is_file():
            raise SigningError("The PKCS#11 module ${module} does not exist: install the token's driver.", mapping={"module": self.module})
        try:
            session = hanko_pkcs11.open_pkcs11_session(
                self.module, token_criteria=TokenCriteria(label=self.token_label), user_pin=self.pin)
        except pkcs11.exceptions.PinIncorrect:
            raise SigningError("The token's PIN is wrong; check it (the token may lock after a few wrong tries).") from None
        except pkcs11.exceptions.PinLocked:
            raise SigningError("The token is locked after too many wrong PINs: ask the certificate issuer to unlock it.") from None
        except Exception as exc:
            raise SigningError("The token “${token_label}” was not found: plug it in and try again (${kind}: ${exc}).", mapping={"token_label": self.token_label, "kind": type(exc).__name__, "exc": exc}) from None
        try:
            try:
                cert = hanko_pkcs11.PKCS11Signer(session, cert_label=self.cert_label or self.key_label).signing_cert
                raw = self.raw_mechanism if self.raw_mechanism is not None else cert.public_key.algorithm == "ec"
                signer = hanko_pkcs11.PKCS11Signer(session, key_label=self.key_label, signing_cert=cert,
                                                   ca_chain=_load_certs(self.ca_chain), use_raw_mechanism=raw)
            except Exception as exc:
                raise SigningError("The token has no key or certificate labelled “${key_label}” (${exc}).", mapping={"key_label": self.key_label, "exc": exc}) from None
            try:
                yield signer
            except (pkcs11.exceptions.PKCS11Error, HankoSigningError) as exc:
                raise SigningError(
                    "The token refused to sign or was removed while signing: no file was written; check the token and try again (${kind}: ${exc}).", mapping={"kind": type(exc).__name__, "exc": exc}) from None
        finally:
            with contextlib.suppress(Exception):
                session.close()


# appearance -----------------------------------------------------------------------------------
def _font():
    """DejaVu Sans prepared for pyHanko (:mod:`recordsys.pdffont`, shared with the archive's copies)."""
    from recordsys.pdffont import glyph_font

    return glyph_font(SigningError)


def _vietnamese_font() -> Path:
    from recordsys.pdffont import vietnamese_font

    return vietnamese_font(SigningError)


def _style(red: bool, text: str, image: Path | None = None):
    """The appearance: a thin frame, the signature image (if any) on the left, the text on the right."""
    from pyhanko import stamp
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.pdf_utils.text import TextBoxStyle

    color = (0.85, 0, 0) if red else (0, 0, 0.45)
    extra = {}
    if image is not None:
        if not Path(image).is_file():
            raise SigningError("The signature image ${image} does not exist.", mapping={"image": image})
        left = layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MIN,
                                          y_align=layout.AxisAlignment.ALIGN_MID,
                                          margins=layout.Margins(2, 2, 2, 2))
        right = layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MAX,
                                           y_align=layout.AxisAlignment.ALIGN_MID,
                                           margins=layout.Margins(2, 4, 2, 2))
        extra = {"background": PdfImage(str(image)), "background_layout": left, "background_opacity": 1.0,
                 "inner_content_layout": right}
    return stamp.TextStampStyle(
        stamp_text=text, border_width=1, border_color=color,
        text_box_style=TextBoxStyle(font=_font(), font_size=8, text_color=color), **extra)


def _page_count(writer) -> int:
    return int(writer.root["/Pages"]["/Count"])


def signature_box(media_box, size=SIGNATURE_SIZE, margins=SIGNATURE_MARGINS) -> tuple[int, int, int, int]:
    """The signature position: bottom right of the page (Decree 30, Appendix I, box 7)."""
    _, y0, x1, _ = media_box
    right, bottom = x1 - margins[0], y0 + margins[1]
    return (int(right - size[0]), int(bottom), int(right), int(bottom + size[1]))


def seal_box(leader_box) -> tuple[int, int, int, int]:
    """The seal overlaps the left third of the person's signature image, on the left."""
    x0, y0, x1, y1 = leader_box
    width, height = (x1 - x0) * 0.75, y1 - y0
    right = x0 + (x1 - x0) / 3
    return (int(right - width), int(y0 - height * 0.15), int(right), int(y0 + height * 0.85))


def _vn_time(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(dt.UTC)).astimezone(VIETNAM_TIME).replace(microsecond=0)


# writing ---------------------------------------------------------------------------------------
@contextlib.contextmanager
def _atomic(target: Path):
    """Yield a temporary path beside ``target``; rename it onto ``target`` only on success."""
    target = Path(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        yield tmp
        tmp.replace(target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _text_field(writer, name: str, page_index: int, top_box):
    """An empty text field (to be filled at issue) on one page; its rectangle from the top-left."""
    from pyhanko.pdf_utils import generic

    page_ref = _page_ref(writer, page_index)
    y1 = _media_box(writer, page_index)[3]
    x, y, w, h = top_box
    rect = generic.ArrayObject(generic.FloatObject(v) for v in (x, y1 - y - h, x + w, y1 - y))
    widget = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
        generic.NameObject("/FT"): generic.NameObject("/Tx"),
        generic.NameObject("/T"): generic.TextStringObject(name),
        generic.NameObject("/F"): generic.NumberObject(4),  # print
        generic.NameObject("/Ff"): generic.NumberObject(1),  # read-only: filled by certify_issue only
        generic.NameObject("/Rect"): rect,
        generic.NameObject("/P"): page_ref,
        generic.NameObject("/DA"): generic.TextStringObject("/Helv 0 Tf 0 g"),
    })
    ref = writer.add_object(widget)
    writer.register_annotation(page_ref, ref)
    return ref


def _form(writer):
    from pyhanko.pdf_utils import generic

    if "/AcroForm" not in writer.root:
        writer.root[generic.NameObject("/AcroForm")] = writer.add_object(
            generic.DictionaryObject({generic.NameObject("/Fields"): generic.ArrayObject()}))
        writer.update_root()
    return writer.root["/AcroForm"]


def sign(source: Path, target: Path, signer: Signer, *, reason: str = "Ký ban hành",
         location: str = "Việt Nam", issue_fields: bool = True, now: dt.datetime | None = None,
         timestamper=None) -> Path:
    """The competent person's visible PAdES signature at the bottom right of the last page.

    With ``issue_fields`` (the default) the signature certifies the document with DocMDP
    "form filling and signing" and adds the empty number and date fields, so that
    ``certify_issue`` can number the document afterwards without breaking this signature.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    source, target = Path(source), Path(target)
    data = _read(source)
    when = _vn_time(now)
    style = _style(False, "Ký bởi: %(name)s\nChức vụ: %(title)s\nThời gian: %(time)s", signer.image)
    with signer.open() as hanko_signer, _atomic(target) as tmp:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        last = _page_count(writer) - 1
        box = signature_box(_media_box(writer, last))
        if LEADER_FIELD in _fields_by_name(writer):
            raise SigningError("The document is already signed by the competent person.")
        # the person's field first, so that the seal's image is drawn over it
        fields.append_signature_field(writer, fields.SigFieldSpec(LEADER_FIELD, box=box, on_page=last))
        if issue_fields:
            form = _form(writer)
            for name, box_top in ((NUMBER_FIELD, NUMBER_BOX), (DATE_FIELD, DATE_BOX)):
                form["/Fields"].append(_text_field(writer, name, 0, box_top))
            writer.update_container(form)
            # a certified document only takes signatures in fields that exist: the seal's is made now
            # and the seal locks the number and date: refilling them after issue breaks the seal
            lock = fields.FieldMDPSpec(fields.FieldMDPAction.INCLUDE, [NUMBER_FIELD, DATE_FIELD])
            fields.append_signature_field(writer, fields.SigFieldSpec(
                SEAL_FIELD, box=seal_box(box), on_page=last, field_mdp_spec=lock))
        meta = signers.PdfSignatureMetadata(
            field_name=LEADER_FIELD, reason=reason, location=location, name=signer.name,
            subfilter=fields.SigSeedSubFilter.PADES, certify=issue_fields,
            docmdp_permissions=fields.MDPPerm.FILL_FORMS)
        pdf_signer = signers.PdfSigner(meta, signer=hanko_signer, timestamper=timestamper, stamp_style=style)
        with open(tmp, "wb") as out:
            pdf_signer.sign_pdf(writer, output=out, existing_fields_only=True, appearance_text_params={
                "name": signer.name, "title": signer.title, "time": when.isoformat()})
    return target


def certify_issue(pdf: Path, number_and_symbol: str, date: dt.date, org_signer: Signer, *,
                  target: Path | None = None, place: str | None = None, now: dt.datetime | None = None,
                  timestamper=None) -> Path:
    """Issue (ban hành) a signed document: fill the number and date fields (an incremental update
    the leader's certification allows: form filling), then add the agency's signature, in red,
    overlapping the left third of the leader's. Writes ``target`` (default: ``pdf`` itself)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    pdf = Path(pdf)
    target = Path(target) if target else pdf
    data = _read(pdf)
    when = _vn_time(now)
    date_text = date_line(date, place)
    style = _style(True, "%(name)s\nThời gian: %(time)s", org_signer.image)
    with org_signer.open() as hanko_signer, _atomic(target) as tmp:
        filled = _fill_issue_fields(data, {NUMBER_FIELD: f"Số: {number_and_symbol}", DATE_FIELD: date_text})
        writer = IncrementalPdfFileWriter(io.BytesIO(filled), strict=False)
        _require_field(writer, LEADER_FIELD)
        _require_field(writer, SEAL_FIELD)
        meta = signers.PdfSignatureMetadata(
            field_name=SEAL_FIELD, reason=f"Ban hành văn bản số {number_and_symbol}", name=org_signer.name,
            location=place or "Việt Nam", subfilter=fields.SigSeedSubFilter.PADES)
        pdf_signer = signers.PdfSigner(meta, signer=hanko_signer, timestamper=timestamper, stamp_style=style)
        with open(tmp, "wb") as out:
            pdf_signer.sign_pdf(writer, output=out, existing_fields_only=True, appearance_text_params={
                "name": org_signer.name, "time": when.isoformat()})
    return target


def _read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SigningError("The file ${path} cannot be read (${strerror}).", mapping={"path": path, "strerror": exc.strerror}) from None


def _page_ref(writer, page_index: int):
    return writer.find_page_for_modification(page_index)[0]


def _media_box(writer, page_index: int) -> tuple[float, ...]:
    """The page's /MediaBox, inherited from the page tree when the page has none."""
    node = _page_ref(writer, page_index).get_object()
    while "/MediaBox" not in node and "/Parent" in node:
        node = node["/Parent"].get_object()
    return tuple(float(v) for v in node.get("/MediaBox", (0, 0, 595.28, 841.89)))


def _fields_by_name(writer) -> dict:
    if "/AcroForm" not in writer.root:
        return {}
    return {str(ref.get_object()["/T"]): ref for ref in writer.root["/AcroForm"]["/Fields"]}


def _require_field(writer, name: str) -> None:
    if name not in _fields_by_name(writer):
        raise SigningError("The document was not signed by the competent person with the issue fields (no field ${name}): it cannot be issued.", mapping={"name": name})


def _fill_issue_fields(data: bytes, values: dict[str, str]) -> bytes:
    """One incremental update that sets the value and a visible appearance of the issue fields."""
    from pyhanko import stamp
    from pyhanko.pdf_utils import generic, layout
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    for name in values:
        _require_field(writer, name)
    by_name = _fields_by_name(writer)
    style = stamp.TextStampStyle(stamp_text="%(value)s", border_width=0,
                                 text_box_style=TextBoxStyle(font=_font(), font_size=11))
    for name, value in values.items():
        widget = by_name[name].get_object()
        x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
        appearance = stamp.TextStamp(writer, style, {"value": value},
                                     box=layout.BoxConstraints(width=round(x1 - x0), height=round(y1 - y0)))
        xobject = writer.add_object(appearance.as_form_xobject())
        widget[generic.NameObject("/V")] = generic.TextStringObject(value)
        widget[generic.NameObject("/AP")] = generic.DictionaryObject({generic.NameObject("/N"): xobject})
        writer.update_container(widget)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
