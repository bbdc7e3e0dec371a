"""Test PDFs: a one-page PDF/A-2b with Vietnamese text, and signed variants for every verdict
(real pyHanko signatures from ``tests.common.pki``)."""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from tests.common.components import missing
from tests.common.pki import Pki

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TEXT = [
    "ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA",
    "Số: 15/QĐ-UBND",
    "QUYẾT ĐỊNH",
    "Về việc giao đất đai cho hộ gia đình, cá nhân tại phường Lộc Thọ",
]


def plain_pdf(target: Path, lines=TEXT, pages: int = 1) -> Path:
    """A simple text PDF (not PDF/A) rendered with reportlab and an embedded DejaVu font."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    c = canvas.Canvas(str(target))
    c.setTitle(lines[-1])
    c.setAuthor("UBND tỉnh Khánh Hòa")
    for _ in range(pages):
        c.setFont("DejaVu", 13)
        for i, line in enumerate(lines):
            c.drawString(72, 760 - i * 24, line)
        c.showPage()
    c.save()
    return target


def pdfa(target: Path, lines=TEXT) -> Path:
    """A one-page PDF/A-2b (reportlab page converted by OCRmyPDF/Ghostscript)."""
    if shutil.which("ocrmypdf") is None:
        missing("OCRmyPDF", "needed to make PDF/A test files (apt-get install ocrmypdf)")
    source = plain_pdf(target.with_suffix(".src.pdf"), lines)
    subprocess.run(["ocrmypdf", "--skip-text", "--output-type", "pdfa-2", "--quiet", str(source), str(target)],
                   check=True, capture_output=True, timeout=300)
    source.unlink()
    return target


def sign(pki: Pki, source: Path, target: Path, signer: str = "good", field: str = "Signature1",
         with_revocation_info: bool = True) -> Path:
    """Sign as an incremental update, then add the CA certificates and CRL to the /DSS."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    with open(source, "rb") as inf:
        writer = IncrementalPdfFileWriter(inf)
        meta = signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES,
                                            reason="Ký ban hành", location="Khánh Hòa")
        out = io.BytesIO()
        signers.PdfSigner(meta, signer=pki.signer(signer)).sign_pdf(writer, output=out)
    if with_revocation_info:
        from asn1crypto import crl as asn1_crl
        from asn1crypto import x509 as asn1_x509
        from pyhanko.pdf_utils.reader import PdfFileReader

        reader = PdfFileReader(out)
        sig = reader.embedded_signatures[-1]
        certs = [asn1_x509.Certificate.load(p.cert.public_bytes(_der())) for p in (pki.intermediate, pki.root)]
        crls = [asn1_crl.CertificateList.load(pki.crl_path.read_bytes())]
        out.seek(0)
        DocumentSecurityStore.add_dss(out, sig.pkcs7_content, certs=certs, crls=crls)
    target.write_bytes(out.getvalue())
    return target


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def modify_after_signing(source: Path, target: Path) -> Path:
    """An incremental update that rewrites the page's text after the signature (not allowed)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    with open(source, "rb") as inf:
        writer = IncrementalPdfFileWriter(inf)
        page_ref = writer.root["/Pages"]["/Kids"][0]
        page = page_ref.get_object()
        stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 500 Td (So: 99/QD-UBND) Tj ET")
        contents = page["/Contents"]
        arr = generic.ArrayObject(contents if isinstance(contents, generic.ArrayObject) else [contents])
        arr.append(writer.add_object(stream))
        page["/Contents"] = arr
        writer.update_container(page)
        out = io.BytesIO()
        writer.write(out)
    target.write_bytes(out.getvalue())
    return target


def break_integrity(source: Path, target: Path) -> Path:
    """Flip one byte inside the signed byte range (same length, so the structure still parses)."""
    data = bytearray(source.read_bytes())
    marker = data.find(b"/Producer")
    index = marker + 12 if marker > 0 else 200
    data[index] = ord("X") if data[index] != ord("X") else ord("Y")
    target.write_bytes(bytes(data))
    return target


class Corpus:
    """Every case the signature verdict distinguishes, built once per test session."""

    def __init__(self, folder: Path, pki: Pki):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.pki = folder, pki
        self.unsigned = pdfa(folder / "unsigned.pdf")
        self.valid = sign(pki, self.unsigned, folder / "valid.pdf")
        self.two_signatures = sign(pki, self.valid, folder / "two-signatures.pdf", "second", "Signature2")
        self.expired = sign(pki, self.unsigned, folder / "expired.pdf", "expired")
        self.revoked = sign(pki, self.unsigned, folder / "revoked.pdf", "revoked")
        self.untrusted = sign(pki, self.unsigned, folder / "untrusted.pdf", "untrusted")
        self.modified = modify_after_signing(self.valid, folder / "modified.pdf")
        self.invalid = break_integrity(self.valid, folder / "invalid.pdf")
        self.not_pdfa = sign(pki, plain_pdf(folder / "plain.pdf"), folder / "signed-not-pdfa.pdf")
