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
        assert len(pdf.pages) == 2
        with pdf.open_metadata() as xmp:
            assert xmp.pdfa_status == "2B"
    from pypdf import PdfReader

    text = PdfReader(result.output).pages[0].extract_text()
    assert "KHÁNH HÒA" in text.upper() or "QUYẾT ĐỊNH" in text.upper(), text


def test_low_resolution_is_flagged(ocr, tmp_path):
    result = to_searchable_pdfa(scanned_page(tmp_path / "low.tiff", dpi=150), tmp_path / "low.pdf")
    assert any("150 dpi" in w for w in result.warnings)


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
