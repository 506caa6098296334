"""Excel export (openpyxl) of any filtered staff queue: Chinese columns, the caller's phone masked, the
viewer's scope only, and one audit row per export (who exported which queue with which filters)."""

import io
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from redgrid.appeals.queues import QUEUE_LABELS, QUEUES, apply_filters, queue_base
from redgrid.core import audit
from redgrid.core.pages import staff_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# One export is one request: past this many rows the office narrows the filters (the sheet says so).
MAX_ROWS = 20000

COLUMNS = (
    "编号",
    "标题",
    "诉求内容",
    "状态",
    "渠道",
    "事项分类",
    "紧急程度",
    "街道",
    "网格",
    "地址",
    "主办单位",
    "来电号码",
    "受理时间",
    "办结时限",
    "是否超期",
    "结案时间",
)


def _local(value):
    # Excel has no time zones: write the local wall-clock time without tzinfo.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _row(a) -> list:
    return [
        a.pk,
        a.title,
        a.content,
        a.status_label,
        a.get_channel_display(),
        a.category.name if a.category_id else "",
        a.get_urgency_display(),
        a.street.name if a.street_id else "",
        a.grid.name if a.grid_id else "未定位",
        a.address,
        a.owner_unit.name if a.owner_unit_id else "",
        a.caller_phone,  # the Sensitive descriptor gives the masked form (e.g. *******1234)
        _local(a.created_at),
        _local(a.resolve_due_at),
        "是" if a.is_late else "否",
        _local(a.closed_at),
    ]


def workbook(rows, title: str) -> tuple[bytes, int]:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(list(COLUMNS))
    count = 0
    for appeal in rows.iterator(chunk_size=2000):
        if count == MAX_ROWS:
            ws.append([f"仅导出前 {MAX_ROWS} 条，请缩小筛选范围后分批导出"])
            break
        ws.append(_row(appeal))
        count += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), count


@staff_required
def export(request):
    """The queue and tab named in the query string, with the page's filters, as xlsx."""
    queue = request.GET.get("queue", "")
    if queue not in QUEUES:
        raise Http404("没有这个队列")
    tab = request.GET.get("tab") or next(iter(QUEUES[queue]))
    if tab not in QUEUES[queue]:
        raise Http404("没有这个页签")
    qs, filters = apply_filters(
        request.user, queue_base(request.user, queue, tab, timezone.now()), request.GET
    )
    title = f"{QUEUE_LABELS[queue]}-{QUEUES[queue][tab]}"
    content, count = workbook(qs, title)
    audit.record(
        "appeals.export",
        actor=request.user,
        object_type="appeals.appeal",
        summary={"queue": queue, "tab": tab, "filters": request.GET.dict(), "rows": count},
    )
    name = f"{title}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
