"""Scanned paper → searchable PDF/A-2b, with OCRmyPDF and Tesseract's Vietnamese model.

OCRmyPDF runs as a subprocess (Debian's ``ocrmypdf`` package, with ``tesseract-ocr-vie`` and
``ghostscript``). Multi-page TIFFs are first joined into one image PDF with Pillow, keeping their
resolution, since OCRmyPDF takes a single image only.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from recordsys.errors import DomainError

IMAGE_SUFFIXES = {".tif", ".tiff", ".png", ".jpg", ".jpeg"}
MIN_DPI = 200  # Circular 02/2019: digitised paper at 200 dpi at least


class ScanError(DomainError):
    """The scan could not be converted; the message says why and what to do."""

    code = "scan"


@dataclass(frozen=True)
class ScanResult:
    output: Path
    pages: int
    dpi: int | None
    warnings: tuple[str, ...] = ()


def ocrmypdf_available() -> bool:
    return shutil.which("ocrmypdf") is not None


def images_to_pdf(source: Path, target: Path) -> tuple[int, int | None]:
    """Join the frames of an image (multi-page TIFF included) into one PDF; returns (pages, dpi)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        with Image.open(source) as image:
            dpi = image.info.get("dpi", (None, None))[0]
            dpi = int(round(float(dpi))) if dpi else None
            frames = [frame.convert("RGB") if frame.mode not in ("1", "L", "RGB") else frame.copy()
                      for frame in ImageSequence.Iterator(image)]
    except (UnidentifiedImageError, OSError) as exc:
        raise ScanError("${name} is not a readable image: ${exc}.", mapping={"name": source.name, "exc": exc}) from None
    resolution = float(dpi or 300)
    frames[0].save(target, "PDF", save_all=True, append_images=frames[1:], resolution=resolution)
    return len(frames), dpi


def to_searchable_pdfa(source: Path, target: Path, language: str = "vie", timeout: int = 900) -> ScanResult:
    """OCR ``source`` (PDF or image) into a PDF/A-2b at ``target``; raises ScanError with a sentence."""
    if not ocrmypdf_available():
        raise ScanError("OCRmyPDF is not installed: run scripts/install-system (Debian package ocrmypdf).")
    source, target = Path(source), Path(target)
    if not source.is_file() or source.stat().st_size == 0:
        raise ScanError("${source} is missing or empty.", mapping={"source": source})
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="recordsys-scan-") as tmp:
        pdf_input, pages, dpi = source, None, None
        if source.suffix.lower() in IMAGE_SUFFIXES:
            pdf_input = Path(tmp) / "images.pdf"
            pages, dpi = images_to_pdf(source, pdf_input)
            if dpi is None:
                warnings.append("the image carries no resolution; 300 dpi was assumed")
            elif dpi < MIN_DPI:
                warnings.append(f"scanned at {dpi} dpi, below the {MIN_DPI} dpi Circular 02/2019 asks for")
        partial = Path(tmp) / "out.pdf"
        cmd = ["ocrmypdf", "--output-type", "pdfa-2", "-l", language, "--skip-text", "--jobs", "1",
               "--quiet", str(pdf_input), str(partial)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ScanError("OCR of ${name} took longer than ${timeout} s and was stopped.", mapping={"name": source.name, "timeout": timeout}) from None
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise ScanError("OCR of ${name} failed (ocrmypdf exit ${returncode}): ${value}.", mapping={"name": source.name, "returncode": done.returncode, "value": detail[-1] if detail else 'no message'})
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(partial), target)
    if pages is None:
        import pikepdf

        with pikepdf.open(target) as pdf:
            pages = len(pdf.pages)
    return ScanResult(target, pages, dpi, tuple(warnings))
