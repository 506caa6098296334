"""Assessment reports of a ranking: an Excel workbook (openpyxl) and a printable PDF (reportlab).

The PDF uses reportlab's built-in CID font STSong-Light (Adobe-GB1), which every PDF reader renders
without font files being shipped; pages are numbered "第 x 页 / 共 y 页" in a second pass.
"""

from datetime import datetime
from io import BytesIO

from django.utils import timezone

from redgrid.assessment import indicators as I
from redgrid.assessment.selectors import Ranking

FONT = "STSong-Light"


def _title(r: Ranking) -> str:
    return f"{r.node.name}{I.LEVEL_LABELS.get(r.level, '')}考核排名 · {r.period.label}"


def _scheme_line(r: Ranking) -> str:
    if r.scheme is None:
        return "本层级未设考核方案，只列指标值"
    parts = [f"{c.indicator.name} {c.weight:g}" for c in r.rows[0].cells] if r.rows else []
    return f"考核方案：{r.scheme.name}（第 {r.scheme.version} 版）" + (
        "；权重：" + "、".join(parts) if parts else ""
    )


def filename(r: Ranking, ext: str) -> str:
    return f"assessment-{r.node.key.replace(':', '-')}-{r.level}-{r.period.key}.{ext}"


def xlsx(r: Ranking) -> bytes:
    """Sheet 排名 (rank, name, score, coverage, each indicator's value and counts), 方案 and 指标说明."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "排名"
    ws.append([_title(r)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"统计期间 {r.period.start:%Y-%m-%d} 至 {r.period.last:%Y-%m-%d}；{_scheme_line(r)}"])
    ws.append([f"生成时间 {timezone.localtime():%Y-%m-%d %H:%M}"])
    header = ["名次", "名称", "综合得分", "指标覆盖"]
    for ind in r.indicators:
        header += [f"{ind.name}", f"{ind.name}（计算）"]
    ws.append(header)
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in r.rows:
        line = [
            row.rank or "—",
            row.node.name,
            row.score if row.score is not None else "—",
            f"{row.coverage:.0%}",
        ]
        for c in row.cells:
            line += [c.display, c.counts]
        ws.append(line)
    ws.freeze_panes = "C5"
    for i in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 22 if i == 2 else 14
    sheet = wb.create_sheet("方案")
    sheet.append(["指标", "权重", "目标值", "方向"])
    for c in r.rows[0].cells if r.rows else []:
        sheet.append(
            [
                c.indicator.name,
                float(c.weight) if c.weight is not None else "",
                c.target_display,
                c.indicator.direction_label,
            ]
        )
    notes = wb.create_sheet("指标说明")
    notes.append(["指标", "单位", "来源模块", "计算方法"])
    for ind in r.indicators:
        notes.append([ind.name, ind.unit, ind.module, ind.doc])
    notes.column_dimensions["D"].width = 120
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _numbered_canvas():
    from reportlab.pdfgen import canvas

    class NumberedCanvas(canvas.Canvas):
        """Holds every page until the end so each footer can say how many pages there are."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 (reportlab's API)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 9)
                width = self._pagesize[0]
                self.drawCentredString(width / 2, 20, f"第 {self._pageNumber} 页 / 共 {total} 页")
                super().showPage()
            super().save()

    return NumberedCanvas


def pdf(r: Ranking, *, generated: datetime | None = None) -> bytes:
    """A landscape A4 report: title, period and scheme, then the ranking table (repeated header)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    generated = generated or timezone.localtime()
    title = ParagraphStyle("t", fontName=FONT, fontSize=16, leading=22)
    body = ParagraphStyle("b", fontName=FONT, fontSize=9, leading=13)
    cell = ParagraphStyle("c", fontName=FONT, fontSize=7.5, leading=9.5)
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=_title(r),
        author="红色网格",
    )
    inds = r.indicators
    header = [Paragraph(x, cell) for x in ["名次", "名称", "综合得分"] + [i.name for i in inds]]
    data = [header]
    for row in r.rows:
        data.append(
            [
                str(row.rank or "—"),
                Paragraph(row.node.name, cell),
                "—" if row.score is None else f"{row.score:.2f}",
            ]
            + [c.display for c in row.cells]
        )
    if len(data) == 1:
        data.append(["", Paragraph("本期无可排名的对象", cell), ""] + [""] * len(inds))
    available = doc.width - 60 * mm
    widths = [12 * mm, 36 * mm, 16 * mm] + [max(available - 4 * mm, 10) / max(len(inds), 1)] * len(inds)
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 7.5),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3e3e3")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    story = [
        Paragraph(_title(r), title),
        Paragraph(
            f"统计期间 {r.period.start:%Y-%m-%d} 至 {r.period.last:%Y-%m-%d}。{_scheme_line(r)}。", body
        ),
        Paragraph(
            "综合得分 = Σ 权重 × 单项得分 ÷ 有数据指标的权重之和 × 100；单项得分见各指标说明（达到目标为满分）。"
            f"生成时间 {generated:%Y-%m-%d %H:%M}。",
            body,
        ),
        Spacer(1, 4 * mm),
        table,
    ]
    doc.build(story, canvasmaker=_numbered_canvas())
    return out.getvalue()
