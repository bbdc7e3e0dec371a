"""Scans become searchable PDF/A-2b with Vietnamese OCR (real OCRmyPDF and Tesseract)."""
import pikepdf
import pytest

from recordsys.ingest.scan import ScanError, ocrmypdf_available, to_searchable_pdfa
from tests.common.components import missing
from tests.common.scans import scanned_page


@pytest.fixture
def ocr():
    if not ocrmypdf_available():
        missing("OCRmyPDF", "apt-get install ocrmypdf tesseract-ocr-vie ghostscript")


def test_multipage_tiff_becomes_searchable_pdfa(ocr, tmp_path):
    result = to_searchable_pdfa(scanned_page(tmp_path / "cong-van.tiff", pages=2), tmp_path / "out.pdf")
    assert result.pages == 2 and result.dpi == 300 and result.warnings == ()
    with pikepdf.open(result.output) as pdf:
        assert len(pdf.pages) == 2 and str(pdf.docinfo["/confidenceLevel"]) == "02"
        with pdf.open_metadata() as xmp:
            assert xmp.pdfa_status == "2B"
    from pypdf import PdfReader

    text = PdfReader(result.output).pages[0].extract_text()
    assert "KHÁNH HÒA" in text.upper() or "QUYẾT ĐỊNH" in text.upper(), text


def test_low_resolution_is_refused(ocr, tmp_path):
    with pytest.raises(ScanError, match="150 dpi.*at least 200 dpi") as refused:
        to_searchable_pdfa(scanned_page(tmp_path / "low.tiff", dpi=150), tmp_path / "low.pdf")
    assert "tối thiểu 200 dpi" in refused.value.localized("vi")
    assert not (tmp_path / "low.pdf").exists()


def test_maps_and_drawings_need_300_dpi(ocr, tmp_path):
    page = scanned_page(tmp_path / "ban-do.tiff", dpi=250)
    for kind, vi in (("map", "bản đồ"), ("drawing", "bản vẽ")):
        with pytest.raises(ScanError, match="at least 300 dpi") as refused:
            to_searchable_pdfa(page, tmp_path / f"{kind}.pdf", kind=kind)
        assert vi in refused.value.localized("vi")
    assert to_searchable_pdfa(page, tmp_path / "van-ban.pdf").dpi == 250  # a document at 250 dpi is fine
    with pytest.raises(ScanError, match="kind of original"):
        to_searchable_pdfa(page, tmp_path / "x.pdf", kind="photo")


def test_low_resolution_pdf_scan_is_refused(ocr, tmp_path):
    from PIL import Image

    pdf = tmp_path / "low.pdf"
    with Image.open(scanned_page(tmp_path / "low.tiff", dpi=150)) as image:
        image.save(pdf, "PDF", resolution=150.0)
    with pytest.raises(ScanError, match="150 dpi"):
        to_searchable_pdfa(pdf, tmp_path / "out.pdf")


def test_digitised_pdfa_is_marked_and_signed_by_the_agency(ocr, tmp_path, pki, verapdf_home):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    from recordsys.workflow.signers import SoftwareKeySigner

    party = pki.signers["good"]
    agency = SoftwareKeySigner("Văn phòng UBND tỉnh Khánh Hòa", "Cơ quan ban hành", cert_path=party.cert_path,
                               key_path=party.key_path, ca_chain=(pki.intermediate.cert_path, pki.root.cert_path))
    result = to_searchable_pdfa(scanned_page(tmp_path / "quyet-dinh.tiff"), tmp_path / "signed.pdf", signer=agency)
    with pikepdf.open(result.output) as pdf:
        assert str(pdf.docinfo["/confidenceLevel"]) == "02"
        with pdf.open_metadata() as xmp:
            assert xmp.pdfa_status == "2B"
    with open(result.output, "rb") as f:
        reader = PdfFileReader(f)
        [signature] = reader.embedded_signatures
        assert signature.sig_object["/Name"] == "Văn phòng UBND tỉnh Khánh Hòa"
        assert "/M" in signature.sig_object  # signing time
        widget = signature.sig_field.get("/Rect") or signature.sig_field["/Kids"][0].get_object().get("/Rect")
        assert [float(v) for v in (widget or [0, 0, 0, 0])] == [0, 0, 0, 0]  # invisible: no seal image
        assert validate_pdf_signature(signature).intact
    from recordsys.ingest.pdfa import VeraPdf

    [verdict] = VeraPdf(verapdf_home).validate([result.output]).values()
    assert verdict.compliant and verdict.flavour == "2b", verdict.to_dict()


def test_bad_inputs_give_sentences(ocr, tmp_path):
    empty = tmp_path / "empty.tiff"
    empty.write_bytes(b"")
    with pytest.raises(ScanError, match="missing or empty"):
        to_searchable_pdfa(empty, tmp_path / "x.pdf")
    junk = tmp_path / "junk.tiff"
    junk.write_bytes(b"not an image at all")
    with pytest.raises(ScanError, match="not a readable image"):
        to_searchable_pdfa(junk, tmp_path / "y.pdf")
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "y.pdf").exists()
