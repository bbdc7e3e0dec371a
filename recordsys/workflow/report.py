"""The task report (báo cáo tình hình xử lý công việc): tasks and incoming documents under
processing, with their deadlines and overdue days, and a chart of them by unit (on time, late,
overdue), as a spreadsheet (openpyxl, with a bar chart) or a PDF (reportlab, with drawn bars)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from recordsys.workflow.rules import NAMES

COLUMNS = (("STT", "No."), ("Loại", "Kind"), ("Nội dung", "Subject"), ("Người xử lý", "Handler"),
           ("Hạn xử lý", "Deadline"), ("Trạng thái", "State"), ("Số ngày quá hạn", "Days overdue"))
KINDS = {"task": ("Công việc", "Task"), "incoming": ("Văn bản đến", "Incoming document")}
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


#: the chart's series: key -> (Vietnamese, English, colour)
SERIES = {"on_time": ("Đúng hạn", "On time", "#2e7d32"), "late": ("Trễ hạn", "Late", "#f9a825"),
          "overdue": ("Quá hạn", "Overdue", "#c62828")}
IN_PROGRESS = ("Đang trong hạn", "Within the deadline")
NO_UNIT = ("(chưa xác định đơn vị)", "(no unit)")
FINISHED = ("approved", "done")


def by_unit(rows: list[dict]) -> dict[str | None, dict[str, int]]:
    """{unit: {on_time, late, overdue, in_progress}}: finished by the deadline, finished after it,
    unfinished past it, unfinished within it (units in alphabetical order, no unit last)."""
    out: dict[str | None, dict[str, int]] = {}
    for r in rows:
        counts = out.setdefault(r.get("unit"), {"on_time": 0, "late": 0, "overdue": 0, "in_progress": 0})
        if r["state"] in FINISHED:
            counts["late" if r["overdue_days"] else "on_time"] += 1
        else:
            counts["overdue" if r["overdue_days"] else "in_progress"] += 1
    return dict(sorted(out.items(), key=lambda kv: (kv[0] is None, kv[0] or "")))


def _unit_rows(rows: list[dict], lang: str) -> list[list]:
    i = 0 if lang == "vi" else 1
    return [[unit or NO_UNIT[i], c["on_time"], c["late"], c["overdue"], c["in_progress"]]
            for unit, c in by_unit(rows).items()]


def _unit_header(lang: str) -> list[str]:
    i = 0 if lang == "vi" else 1
    return [("Đơn vị", "Unit")[i], *(v[i] for v in SERIES.values()), IN_PROGRESS[i]]


def _chart_title(lang: str) -> str:
    return "Tình hình xử lý theo đơn vị" if lang == "vi" else "Tasks by unit"


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
    _xlsx_chart(book, rows, lang)
    book.save(target)
    return target


def _xlsx_chart(book, rows: list[dict], lang: str) -> None:
    """A sheet of counts by unit and its clustered bar chart (on time, late, overdue)."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    sheet = book.create_sheet("Theo đơn vị" if lang == "vi" else "By unit")
    sheet.append(_unit_header(lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    units = _unit_rows(rows, lang)
    for row in units:
        sheet.append(row)
    sheet.column_dimensions["A"].width = 24
    chart = BarChart()
    chart.type, chart.grouping = "col", "clustered"
    chart.title = _chart_title(lang)
    chart.y_axis.title = "Số việc" if lang == "vi" else "Items"
    last = max(len(units), 1) + 1
    chart.add_data(Reference(sheet, min_col=2, max_col=1 + len(SERIES), min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    for series, (_vi, _en, colour) in zip(chart.series, SERIES.values()):
        series.graphicalProperties.solidFill = colour.lstrip("#")
    chart.width, chart.height = 18, 9
    sheet.add_chart(chart, "G2")


def _pdf_chart(rows: list[dict], lang: str, font: str):
    """Drawn bars of the counts by unit (on time, late, overdue), with a legend."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    i = 0 if lang == "vi" else 1
    units = by_unit(rows)
    drawing = Drawing(760, 220)
    drawing.add(String(0, 205, _chart_title(lang), fontName=font, fontSize=11))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, 560, 160
    chart.data = [[c[key] for c in units.values()] or [0] for key in SERIES]
    chart.categoryAxis.categoryNames = [u or NO_UNIT[i] for u in units] or [NO_UNIT[i]]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    top = max([max(series) for series in chart.data] + [1])
    chart.valueAxis.valueStep = max(1, -(-top // 5))
    chart.valueAxis.valueMax = chart.valueAxis.valueStep * 5 if top > 5 else 5
    for n, (_vi, _en, colour) in enumerate(SERIES.values()):
        chart.bars[n].fillColor = colors.HexColor(colour)
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y, legend.fontName, legend.alignment = 630, 170, font, "right"
    legend.colorNamePairs = [(colors.HexColor(colour), names[i]) for *names, colour in SERIES.values()]
    drawing.add(legend)
    return drawing


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
    doc.build([Paragraph(title(org_name, today, lang), head), _pdf_chart(rows, lang, "DejaVuSans"), table])
    return target
