"""Open311 answers: the GeoReport error format, one writer for JSON and XML, and the public view of an appeal.

The public view decides what GET answers may show (open311.md, PIPL 最小必要): never the reporter, a phone,
an e-mail or a name; phone and ID numbers typed into free text are masked; a household's address is shown as
its building's; appeals of a sensitive category show the grid only, without text, picture or notes.
"""

import re
import xml.etree.ElementTree as ET

from django.db.models import OuterRef, Subquery
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from redgrid.appeals.models import OPEN_STATES, Appeal, AppealEvent
from redgrid.regions.models import Building, Household
from redgrid.units.models import Category

# --- errors and the two formats ---------------------------------------------------------------------------


class Open311Error(Exception):
    """An answer in the GeoReport error format: HTTP status and a list of {code, description}."""

    def __init__(self, status: int, *descriptions: str, headers: dict | None = None):
        super().__init__(descriptions[0] if descriptions else "")
        self.status, self.descriptions, self.headers = status, descriptions, headers or {}


# XML element name of the items of each list (GeoReport v2 and the FixMyStreet update extension).
ITEM = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "service_request_updates": "request_update",
    "endpoints": "endpoint",
    "formats": "format",
}


def _xml_value(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _xml_value(ET.SubElement(element, name), child)
    elif isinstance(value, list):
        for child in value:
            _xml_value(ET.SubElement(element, ITEM[element.tag]), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def answer(fmt: str, root: str, data, status: int = 200, headers: dict | None = None) -> HttpResponse:
    if fmt == "json":
        response = JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        element = ET.Element(root)
        _xml_value(element, data)
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode")
        response = HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_answer(fmt: str, error: Open311Error) -> HttpResponse:
    data = [{"code": error.status, "description": d} for d in error.descriptions]
    return answer(fmt, "errors", data, error.status, error.headers)


# --- values ------------------------------------------------------------------------------------------------


def iso(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def status_of(state: str) -> str:
    # 不予受理 is terminal like 结案 and 撤销 (no action leaves it), so it is closed too.
    return "open" if state in OPEN_STATES else "closed"


_PHONE_OR_ID = re.compile(r"(?<!\d)(\d{17}[\dXx]|1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?![\dXx])")


def scrub(text: str) -> str:
    """Mask phone and ID numbers that residents type into free text (public answers)."""
    return _PHONE_OR_ID.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 7) + m.group()[-4:], text or "")


def local_time(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


# --- the public view of an appeal (GET answers) ------------------------------------------------------------

# Event notes that are told to the reporter anyway (the reason for 不予受理, the unit's result).
PUBLIC_NOTE_ACTIONS = ("reject", "reply")


def sensitive_paths() -> tuple[str, ...]:
    return tuple(Category.objects.filter(is_sensitive=True).values_list("path", flat=True))


def is_sensitive(appeal: Appeal, paths: tuple[str, ...]) -> bool:
    # Unclassified appeals count by the model's suggestion, so a suspected sensitive matter stays coarse.
    category = appeal.category or appeal.suggested_category
    return bool(paths) and category is not None and category.path.startswith(paths)


def public_places(appeals: list[Appeal]) -> dict[str, tuple[int, str]]:
    """address → (building id, building address): a household's address is shown as its building's."""
    addresses = {a.address for a in appeals if a.address}
    if not addresses:
        return {}
    places = {
        row["address"]: (row["building_id"], row["building__address"])
        for row in Household.objects.filter(address__in=addresses).values(
            "address", "building_id", "building__address"
        )
    }
    for row in Building.objects.filter(address__in=addresses).values("id", "address"):
        places[row["address"]] = (row["id"], row["address"])
    return places


def notice(appeal: Appeal) -> str:
    if appeal.status == "closed":
        return f"已于 {local_time(appeal.closed_at)} 办结"
    if not appeal.is_open:
        return ""
    return f"{appeal.get_urgency_display()}诉求，办结时限 {local_time(appeal.resolve_due_at)}"


def request_out(appeal: Appeal, paths: tuple[str, ...], places: dict) -> dict:
    """One appeal as a GeoReport request, with nothing that identifies the reporter."""
    sensitive = is_sensitive(appeal, paths)
    notes = appeal.status_label
    if appeal.merged_into_id:
        notes += f"：已并入诉求 {appeal.merged_into_id} 一并办理"
    elif getattr(appeal, "public_note", None) and not sensitive:
        notes += f"：{scrub(appeal.public_note)}"
    if sensitive:
        place = appeal.grid or appeal.street
        address = place.name if place else ""
        lat = getattr(appeal.grid, "center_lat", None)
        lng = getattr(appeal.grid, "center_lng", None)
        address_id, description, media_url = None, "（敏感类别，内容不公开）", None
    else:
        address_id, address = places.get(appeal.address, (None, appeal.address))
        lat, lng = appeal.lat, appeal.lng
        description, media_url = scrub(appeal.content), appeal.media_url or None
    return {
        "service_request_id": str(appeal.pk),
        "status": status_of(appeal.status),
        "status_notes": notes,
        "service_name": appeal.category.name if appeal.category_id else None,
        "service_code": str(appeal.category_id) if appeal.category_id else None,
        "description": description,
        "agency_responsible": str(appeal.owner) if appeal.owner is not None else None,
        "service_notice": notice(appeal),
        "requested_datetime": iso(appeal.created_at),
        "updated_datetime": iso(appeal.updated_at),
        "expected_datetime": iso(appeal.resolve_due_at),
        "address": address or None,
        "address_id": str(address_id) if address_id else None,
        "zipcode": None,
        "lat": lat,
        "long": lng,
        "media_url": media_url,
    }


def public_requests():
    last_note = (
        AppealEvent.objects.filter(appeal=OuterRef("pk"), action__in=PUBLIC_NOTE_ACTIONS)
        .exclude(note="")
        .order_by("-at", "-id")
        .values("note")[:1]
    )
    return Appeal.objects.select_related(
        "category", "suggested_category", "owner_unit", "street", "grid"
    ).annotate(public_note=Subquery(last_note))


# --- updates (FixMyStreet extension) ---------------------------------------------------------------------


def update_text(event: AppealEvent, sensitive: bool) -> str | None:
    """The public sentence for one timeline event, or None for internal steps (退单, 延期申请, 评价…)."""
    unit = str(event.unit) if event.unit_id else "责任单位"
    note = "" if sensitive else scrub(event.note)
    data = event.data or {}
    texts = {
        "register": "已立案",
        "reject": f"不予受理：{note}" if note else "不予受理",
        "dispatch": f"已派遣至{unit}",
        "whistle": f"街乡吹哨，{unit}牵头办理",
        "reassign": f"已改派至{unit}",
        "accept": f"{unit}已报到办理" if data.get("role", "lead") == "lead" else None,
        "reply": f"{unit}反馈办理结果：{note}" if note else f"{unit}已反馈办理结果",
        "verify": "核查通过，已办结" if data.get("passed") else "核查未通过，继续办理",
        "reopen": "重新办理",
        "merge": f"已并入诉求 {data.get('into')} 一并办理",
        "cancel": "已撤销",
        "approve_extension": f"办理时限延长 {data.get('days')} 天",
    }
    return texts.get(event.action)


PUBLIC_UPDATE_ACTIONS = (
    "register",
    "reject",
    "dispatch",
    "whistle",
    "reassign",
    "accept",
    "reply",
    "verify",
    "reopen",
    "merge",
    "cancel",
    "approve_extension",
)
