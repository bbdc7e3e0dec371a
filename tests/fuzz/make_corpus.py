"""Rebuild the small fuzzing corpus in tests/fuzz/corpus/ (committed; run only to refresh it):
a plain and a signed one-page PDF, an edXML document envelope (one small attachment) and a status
envelope,
and a two-file bag.   python -m tests.fuzz.make_corpus
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"


def tiny_pdf(target: Path) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(target), pageCompression=1)
    c.setTitle("Quyet dinh 15/QD-UBND")
    c.setFont("Helvetica", 12)
    c.drawString(72, 760, "UY BAN NHAN DAN TINH KHANH HOA - So: 15/QD-UBND")
    c.showPage()
    c.save()
    return target


def main() -> None:
    import bagit

    from recordsys.exchange.edxml import write_document_envelope, write_status_envelope
    from recordsys.exchange.model import Attachment
    from tests.common.pdfs import sign
    from tests.common.pki import make_pki
    from tests.exchange import samples

    shutil.rmtree(CORPUS, ignore_errors=True)
    (CORPUS / "pdf").mkdir(parents=True)
    (CORPUS / "edxml").mkdir()
    plain = tiny_pdf(CORPUS / "pdf" / "plain.pdf")
    with tempfile.TemporaryDirectory() as tmp:
        sign(make_pki(Path(tmp) / "pki"), plain, CORPUS / "pdf" / "signed.pdf", with_revocation_info=False)
    small = (Attachment("15-QĐ-UBND.pdf", "application/pdf", plain.read_bytes()[:600], "Quyết định"),)
    (CORPUS / "edxml" / "document.edxml").write_bytes(
        write_document_envelope(samples.document(attachments=small), now=samples.NOW))
    (CORPUS / "edxml" / "status.edxml").write_bytes(write_status_envelope(samples.status(), now=samples.NOW))
    bag = CORPUS / "bag"
    (bag / "van-ban").mkdir(parents=True)
    (bag / "van-ban" / "15-QĐ-UBND.txt").write_text("Quyết định 15/QĐ-UBND\n")
    (bag / "Tờ trình.txt").write_text("Tờ trình 05/TTr-STNMT\n")
    bagit.make_bag(str(bag), {"Source-Organization": "UBND tỉnh Khánh Hòa", "External-Identifier": "H41-fuzz"},
                   checksums=["sha256"])
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file():
            print(f"{path.stat().st_size:>7} {path.relative_to(CORPUS)}")


if __name__ == "__main__":
    main()
