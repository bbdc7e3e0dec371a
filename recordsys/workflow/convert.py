"""Turning a drafter's file into the PDF/A-2 that is approved, signed and issued.

DOCX/ODT/DOC: LibreOffice headless with PDF/A-2 export. A PDF that does not declare PDF/A:
OCRmyPDF ``--skip-text --output-type pdfa-2`` (Ghostscript underneath; no OCR of text pages).
A PDF declaring PDF/A is kept as it is. The result is then checked with veraPDF by the caller.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from recordsys.errors import ComponentMissing, DomainError

OFFICE_SUFFIXES = (".docx", ".doc", ".odt", ".rtf")
PDFA_EXPORT = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'


class ConversionError(DomainError):
    code = "conversion"
    field = "file"


def declares_pdfa(path: Path) -> bool:
    """Whether the PDF's XMP metadata declares PDF/A conformance (pdfaid:part)."""
    try:
        import pikepdf

        with pikepdf.open(path) as pdf:
            meta = pdf.open_metadata()
            return bool(meta.get("pdfaid:part"))
    except Exception:
        return False


def _run(args, what_vi: str, what_en: str, timeout=300):
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ConversionError("${what} took too long.", mapping={"what": what_en, "what_vi": what_vi}) from None
    if result.returncode:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or [""]
        raise ConversionError("${what} failed: ${detail}", mapping={"what": what_en, "detail": detail[0][:300], "what_vi": what_vi})


def to_pdfa(source: Path, target: Path, force: bool = False) -> Path:
    """Write the PDF/A-2 form of ``source`` to ``target`` (``force``: convert a PDF even when it
    declares PDF/A, for one that claims it but fails veraPDF)."""
    source, target = Path(source), Path(target)
    suffix = source.suffix.lower()
    if suffix in OFFICE_SUFFIXES:
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice is None:
            raise ComponentMissing("LibreOffice is not installed: convert the document to PDF/A first, or install libreoffice-writer.")
        with tempfile.TemporaryDirectory(prefix="recordsys-soffice-") as tmp:
            copy = Path(tmp) / f"du-thao{suffix}"  # the drafter's name is a label, never a path
            shutil.copyfile(source, copy)
            _run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                  PDFA_EXPORT, "--outdir", tmp, str(copy)],
                 "Chuyển văn bản sang PDF/A bằng LibreOffice", "Converting the document to PDF/A with LibreOffice")
            shutil.move(str(Path(tmp) / "du-thao.pdf"), target)
        return target
    if suffix != ".pdf" and not _looks_like_pdf(source):
        raise ConversionError("The draft must be a PDF or a DOCX file.")
    if not force and declares_pdfa(source):
        shutil.copyfile(source, target)
        return target
    if shutil.which("ocrmypdf") is None:
        raise ComponentMissing("OCRmyPDF is not installed: it converts PDFs to PDF/A (apt-get install ocrmypdf).")
    _run(["ocrmypdf", "--skip-text", "--output-type", "pdfa-2", "--quiet", str(source), str(target)],
         "Chuyển PDF sang PDF/A", "Converting the PDF to PDF/A")
    return target


def _looks_like_pdf(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(5) == b"%PDF-"
