"""The hand-over record (biên bản giao nhận hồ sơ, tài liệu) of a transfer to the archive:
generated as a PDF, then signed with pyHanko by both sides (the unit handing over, then the
archive receiving), each signature an incremental update that keeps the first one valid."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from recordsys.errors import DomainError

FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)
SIGNATURE_FIELDS = ("BenGiao", "BenNhan")  # the side handing over, the side receiving


class HandoverError(DomainError):
    """The record cannot be made or signed (missing fonts, unknown field); one sentence."""

    code = "handover"


@dataclass(frozen=True)
class HandoverRow:
    archival_code: str
    title: str
    start_date: str
    end_date: str
    retention: str
    documents: int


@dataclass(frozen=True)
class HandoverRecord:
    batch_id: int
    agency: str
    giver_unit: str
    receiver: str
    date: dt.date
    rows: tuple[HandoverRow, ...]


def _fonts():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if not all(Path(p).exists() for p in FONT_PATHS):
        raise HandoverError("The DejaVu fonts are missing: install the Debian package fonts-dejavu-core.")
    registered = pdfmetrics.getRegisteredFontNames()
    for name, path in (("DejaVu", FONT_PATHS[0]), ("DejaVu-Bold", FONT_PATHS[1])):
        if name not in registered:  # each on its own: another module may have registered one of them
            pdfmetrics.registerFont(TTFont(name, path))


def render(record: HandoverRecord, target: Path) -> Path:
    """Write the record as a PDF with a table of the dossiers and two empty signature boxes."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    _fonts()
    normal = ParagraphStyle("n", fontName="DejaVu", fontSize=10, leading=13)
    center = ParagraphStyle("c", parent=normal, alignment=1)
    bold = ParagraphStyle("b", parent=center, fontName="DejaVu-Bold", fontSize=12, leading=16)
    story = [
        Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold),
        Paragraph("Độc lập - Tự do - Hạnh phúc", center),
        Spacer(1, 6 * mm),
        Paragraph(f"BIÊN BẢN<br/>Về việc giao nhận hồ sơ, tài liệu (đợt số {record.batch_id})", bold),
        Spacer(1, 4 * mm),
        Paragraph(f"Ngày {record.date.day:02d} tháng {record.date.month:02d} năm {record.date.year}, "
                  f"tại {record.agency}.", normal),
        Paragraph(f"Bên giao: {record.giver_unit}.", normal),
        Paragraph(f"Bên nhận: {record.receiver}.", normal),
        Paragraph(f"Thống nhất lập biên bản giao nhận {len(record.rows)} hồ sơ, tổng số "
                  f"{sum(r.documents for r in record.rows)} văn bản, theo danh mục dưới đây:", normal),
        Spacer(1, 3 * mm),
    ]
    head = ParagraphStyle("h", parent=normal, fontName="DejaVu-Bold", fontSize=8.5, leading=11)
    header = [Paragraph(h, head) for h in
              ("TT", "Mã hồ sơ", "Tiêu đề hồ sơ", "Thời gian", "Thời hạn bảo quản", "Số văn bản")]
    body = [[str(i), r.archival_code, Paragraph(r.title, normal), f"{r.start_date}\n{r.end_date}",
             r.retention, str(r.documents)] for i, r in enumerate(record.rows, 1)]
    table = Table([header] + body, colWidths=[9 * mm, 38 * mm, 62 * mm, 24 * mm, 22 * mm, 17 * mm],
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "DejaVu", 8.5),
        ("FONT", (0, 0), (-1, 0), "DejaVu-Bold", 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story += [table, Spacer(1, 8 * mm),
              Table([[Paragraph("<b>ĐẠI DIỆN BÊN GIAO</b>", center), Paragraph("<b>ĐẠI DIỆN BÊN NHẬN</b>", center)]],
                    colWidths=[85 * mm, 85 * mm])]
    target.parent.mkdir(parents=True, exist_ok=True)
    SimpleDocTemplate(str(target), pagesize=A4, title=f"Biên bản giao nhận đợt {record.batch_id}",
                      author=record.agency, leftMargin=18 * mm, rightMargin=18 * mm).build(story)
    return target


def sign(source: Path, target: Path, signer, field_name: str, reason: str, timestamper=None) -> Path:
    """Add one PAdES signature as an incremental update, in a visible box under the table."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    if field_name not in SIGNATURE_FIELDS:
        raise HandoverError("Unknown signature field ${field_name}.", mapping={"field_name": f"{field_name!r}"})
    box = (60, 90, 260, 150) if field_name == SIGNATURE_FIELDS[0] else (330, 90, 530, 150)
    with open(source, "rb") as inf:
        writer = IncrementalPdfFileWriter(inf)
        page = len(list(writer.root["/Pages"]["/Kids"])) - 1 if "/Kids" in writer.root["/Pages"] else 0
        fields.append_signature_field(writer, fields.SigFieldSpec(field_name, box=box, on_page=page))
        meta = signers.PdfSignatureMetadata(field_name=field_name, reason=reason, location="Việt Nam",
                                            subfilter=fields.SigSeedSubFilter.PADES)
        tmp = Path(str(target) + ".part")
        with open(tmp, "wb") as out:
            signers.PdfSigner(meta, signer=signer, timestamper=timestamper).sign_pdf(writer, output=out)
    tmp.replace(target)
    return target
