"""The hand-over record: generated as a PDF, then signed by both sides with real pyHanko signatures."""
import datetime as dt
import logging

from recordsys.dossiers import handover
from recordsys.ingest import signatures
from tests.common.pki import make_pki


def test_record_signed_by_both_sides_validates(tmp_path):
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    pki = make_pki(tmp_path / "pki")
    rows = tuple(handover.HandoverRow(f"H41-02.2026.{i:02d}.TCCB", "Hồ sơ giao đất đai phường Lộc Thọ",
                                      "2026-01-05", "2026-11-20", "20 năm", 12) for i in range(1, 40))
    record = handover.HandoverRecord(7, "Văn phòng UBND tỉnh Khánh Hòa", "Phòng Tổng hợp",
                                     "Lưu trữ cơ quan", dt.date(2026, 11, 24), rows)
    pdf = handover.render(record, tmp_path / "bien-ban.pdf")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "BIÊN BẢN" in text and "H41-02.2026.39.TCCB" in text and "tổng số 468 văn bản" in text
    giver = handover.sign(pdf, tmp_path / "ben-giao.pdf", pki.signer("good"), "BenGiao", "Bên giao")
    both = handover.sign(giver, tmp_path / "hai-ben.pdf", pki.signer("second"), "BenNhan", "Bên nhận")
    verdict = signatures.validate(both.read_bytes(), signatures.load_trust_roots([pki.root_pem]))
    assert verdict.status == "valid"
    assert [s.signer for s in verdict.signatures] == ["Nguyễn Văn An", "Trần Thị Bình"]
