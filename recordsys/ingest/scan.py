"""Scanned paper → searchable PDF/A-2b, with OCRmyPDF and Tesseract's Vietnamese model, as
Circular 05/2025/TT-BNV asks for digitisation: at least 200 dpi (300 for maps and drawings; a scan
below is refused), ``confidenceLevel`` 02 (digitised) in the document information, and the
agency's digital signature (agency name and time, no seal image) when a signer is given.

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
from recordsys.i18n import Text

IMAGE_SUFFIXES = {".tif", ".tiff", ".png", ".jpg", ".jpeg"}
MIN_DPI = 200  # Circular 05/2025: digitised paper at 200 dpi at least
#: minimum resolution by kind of original: maps and drawings need 300 dpi
KIND_MIN_DPI = {"document": MIN_DPI, "map": 300, "drawing": 300}
KIND_EN = {"document": "a document", "map": "a map", "drawing": "a drawing"}  # message ids
CONFIDENCE_DIGITISED = "02"  # confidenceLevel: 01 born-digital, 02 digitised, 03 mixed
SIGNATURE_FIELD = "ChuKySoHoaCoQuan"


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


def pdf_image_dpi(source: Path) -> int | None:
    """The lowest resolution of the page images of a scanned PDF (None when it has none)."""
    import pikepdf

    lowest = None
    try:
        with pikepdf.open(source) as pdf:
            for page in pdf.pages:
                box = [float(v) for v in page.mediabox]
                width_in = abs(box[2] - box[0]) / 72
                images = page.get_images() if hasattr(page, "get_images") else page.images
                for image in images.values():
                    if width_in > 0 and int(image.get("/Width", 0)) > 0:
                        dpi = int(round(int(image["/Width"]) / width_in))
                        lowest = dpi if lowest is None else min(lowest, dpi)
    except pikepdf.PdfError as exc:
        raise ScanError("${name} is not a readable PDF: ${value}.", mapping={"name": source.name, "value": exc}) from None
    return lowest


def check_resolution(dpi: int | None, kind: str, name: str) -> None:
    """Refuse a scan below the circular's resolution for its kind of original."""
    if kind not in KIND_MIN_DPI:
        raise ScanError("${kind} is not a kind of original (${kinds}).",
                        mapping={"kind": repr(kind), "kinds": ", ".join(KIND_MIN_DPI)})
    needed = KIND_MIN_DPI[kind]
    if dpi is not None and dpi < needed:
        raise ScanError(
            "${name} was scanned at ${dpi} dpi; Circular 05/2025/TT-BNV asks for at least ${needed} dpi for "
            "${kind}: scan it again at a higher resolution. Nothing was converted.",
            mapping={"name": name, "dpi": dpi, "needed": needed, "kind": Text(KIND_EN[kind])},
            code="scan-resolution")


def mark_digitised(pdf_path: Path) -> None:
    """Write ``confidenceLevel`` 02 (digitised) into the document information dictionary."""
    import pikepdf

    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        pdf.docinfo[pikepdf.Name("/confidenceLevel")] = CONFIDENCE_DIGITISED
        pdf.save(pdf_path)


def sign_digitised(pdf_path: Path, target: Path, signer, reason: str = "Số hóa tài liệu") -> Path:
    """The agency's PAdES signature on the digitised record: invisible (no seal image), with the
    agency's name and the signing time in the signature dictionary. ``signer`` is a
    :class:`recordsys.workflow.signers.Signer` (the workflow's signer provider ``for_agency``)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    data = Path(pdf_path).read_bytes()
    part = Path(str(target) + ".part")
    with signer.open() as hanko_signer:
        import io

        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec(SIGNATURE_FIELD))  # no box: invisible
        meta = signers.PdfSignatureMetadata(field_name=SIGNATURE_FIELD, reason=reason, name=signer.name,
                                            location="Việt Nam", subfilter=fields.SigSeedSubFilter.PADES)
        with open(part, "wb") as out:
            signers.PdfSigner(meta, signer=hanko_signer).sign_pdf(writer, output=out)
    part.replace(target)
    return target


def to_searchable_pdfa(source: Path, target: Path, language: str = "vie", timeout: int = 900,
                       kind: str = "document", signer=None) -> ScanResult:
    """OCR ``source`` (PDF or image) into a PDF/A-2b at ``target``, marked digitised and, with
    ``signer``, signed by the agency; raises ScanError with a sentence (a resolution below the
    circular's for ``kind`` is refused)."""
    if kind not in KIND_MIN_DPI:
        check_resolution(None, kind, str(source))
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
        else:
            dpi = pdf_image_dpi(source)
        check_resolution(dpi, kind, source.name)
        partial = Path(tmp) / "out.pdf"
        cmd = ["ocrmypdf", "--output-type", "pdfa-2", "-l", language, "--skip-text", "--jobs", "1",
               "--quiet", str(pdf_input), str(partial)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ScanError("OCR of ${name} took longer than ${timeout} s and was stopped.", mapping={"name": source.name, "timeout": timeout}) from None
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise ScanError("OCR of ${name} failed (ocrmypdf exit ${returncode}): ${value}.",
                            mapping={"name": source.name, "returncode": done.returncode,
                                     "value": detail[-1] if detail else "no message"})
        mark_digitised(partial)
        target.parent.mkdir(parents=True, exist_ok=True)
        if signer is not None:
            sign_digitised(partial, target, signer)
        else:
            shutil.move(str(partial), target)
    if pages is None:
        import pikepdf

        with pikepdf.open(target) as pdf:
            pages = len(pdf.pages)
    return ScanResult(target, pages, dpi, tuple(warnings))
