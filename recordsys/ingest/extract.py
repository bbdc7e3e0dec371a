"""What the clerk would otherwise type: page count, document info and XMP, the declared PDF/A
part, and the text (for search), read with pikepdf (qpdf) and pypdf, within bounds."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from recordsys.errors import DomainError

MAX_TEXT_PAGES = 50
MAX_TEXT_CHARS = 200_000


class Unreadable(DomainError):
    """The file is not a PDF we can read; the message says why."""

    code = "unreadable"


@dataclass(frozen=True)
class Extracted:
    page_count: int
    title: str | None = None
    author: str | None = None
    subject: str | None = None
    producer: str | None = None
    pdfa_declared: str | None = None  # "2b" from pdfaid:part=2, pdfaid:conformance=B
    text: str = ""
    info: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = asdict(self)
        out.pop("text")
        return out


def extract(path, with_text: bool = True) -> Extracted:
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted:
                raise Unreadable("the PDF is encrypted")
            info = {str(k)[1:]: str(v) for k, v in (pdf.docinfo or {}).items()
                    if isinstance(v, (pikepdf.String, pikepdf.Name))}
            declared = None
            try:
                with pdf.open_metadata() as xmp:
                    part, conformance = xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")
                    if part:
                        declared = f"{part}{(conformance or '').lower()}"
                    title = xmp.get("dc:title") or info.get("Title")
            except Exception:
                title = info.get("Title")
            page_count = len(pdf.pages)
    except pikepdf.PasswordError:
        raise Unreadable("the PDF is encrypted with a password") from None
    except Unreadable:
        raise
    except Exception as exc:
        raise Unreadable("not a readable PDF (${value})",
                         mapping={"value": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}) from None
    text = extract_text(path) if with_text else ""
    return Extracted(page_count, title or None, info.get("Author"), info.get("Subject"), info.get("Producer"),
                     declared, text, info)


def extract_text(path) -> str:
    """The text of the first pages, for search; empty when it cannot be read."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(path, strict=False)
        parts, size = [], 0
        for page in reader.pages[:MAX_TEXT_PAGES]:
            chunk = page.extract_text() or ""
            parts.append(chunk)
            size += len(chunk)
            if size > MAX_TEXT_CHARS:
                break
        text = "\n".join(parts)[:MAX_TEXT_CHARS]
        # fonts without a Unicode map come out as control characters: keep only printable text
        return "".join(c if c.isprintable() or c in "\n\t" else " " for c in text)
    except Exception:
        return ""
