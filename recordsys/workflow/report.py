"""The task report (báo cáo tình hình xử lý công việc): tasks and incoming documents under
processing, with their deadlines and overdue days, as a spreadsheet (openpyxl) or a PDF (reportlab)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from recordsys.workflow.rules import NAMES

COLUMNS = (("STT", "No."), ("Loại", "Kind"), ("Nội dung", "Subject"), ("Người xử lý", "Handler"),
           ("Hạn xử lý", "Deadline"), ("Trạng thái", "State"), ("Số ngày quá hạn", "Days overdue"))
KINDS = {"task": ("Công việc", "Task"), "incoming": ("Văn bản đến", "Incoming document")}
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _cells(rows: list[dict], lang: str) -> list[list]:
    i = 0 if lang == "vi" else 1
    return [[n, KINDS[r["kind"]][i], r["title"], r["assignee"] or "", r["deadline"].strftime("%d/%m/%Y")
             if r["deadline"] else "", NAMES.get(r["state"], (r["state"],) * 2)[i], r["overdue_days"]]
            for n, r in enumerate(rows, 1)]


def title(org_name: str, today: dt.date, lang: str) -> str:
    if lang == "vi":
        return f"Báo cáo tình hình xử lý công việc — {org_name} — ngày {today:%d/%m/%Y}"
    return f"Task report — {org_name} — {today.isoformat()}"


def write_xlsx(rows: list[dict], target: Path, org_name: str, today: dt.date, lang: str = "vi") -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Báo cáo" if lang == "vi" else "Report"
    sheet.append([title(org_name, today, lang)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([c[0 if lang == "vi" else 1] for c in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in _cells(rows, lang):
        sheet.append(row)
    for letter, width in zip("ABCDEFG", (6, 16, 60, 16, 12, 20, 14)):
        sheet.column_dimensions[letter].width = width
    book.save(target)
    return target


def write_pdf(rows: list[dict], target: Path, org_name: str, today: dt.date, lang: str = "vi") -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", FONT))
    style = ParagraphStyle("cell", fontName="DejaVuSans", fontSize=9, leading=11)
    head = ParagraphStyle("head", fontName="DejaVuSans", fontSize=13, leading=16, spaceAfter=12)
    data = [[Paragraph(c[0 if lang == "vi" else 1], style) for c in COLUMNS]]
    data += [[Paragraph(str(v), style) for v in row] for row in _cells(rows, lang)]
    table = Table(data, colWidths=[30, 80, 300, 90, 70, 100, 70], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    doc = SimpleDocTemplate(str(target), pagesize=landscape(A4), title=title(org_name, today, lang),
                            leftMargin=30, rightMargin=30, topMargin=30, bottomMargin=30)
    doc.build([Paragraph(title(org_name, today, lang), head), table])
    return target
