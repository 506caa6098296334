"""Open311 GeoReport v2 (docs/open311.md): services are categories (事项分类), requests are appeals.

Every answer is built once as plain lists and dicts and then written as JSON or XML (`open311_output.answer`),
so both formats always carry the same fields. GET answers are public (no key): they never contain the reporter,
a phone, an e-mail or a name; appeals of a sensitive category show their place at grid precision and
no text; free text is scrubbed of phone and ID numbers. POST needs an `api_key` (accounts.ApiKey).
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from redgrid.appeals import services
from redgrid.appeals.models import OPEN_STATES, Appeal, AppealEvent, Channel, Urgency
from redgrid.appeals.open311_output import (
    PUBLIC_UPDATE_ACTIONS,
    Open311Error,
    answer,
    error_answer,
    is_sensitive,
    iso,
    local_time,
    public_places,
    public_requests,
    request_out,
    sensitive_paths,
    status_of,
    update_text,
)
from redgrid.core.context import client_ip
from redgrid.regions.models import Building
from redgrid.units.models import Category

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00+08:00"  # date of the last change to this interface (discovery)
MAX_DAYS = 90
MAX_RECORDS = 1000
MAX_DESCRIPTION = services.MAX_CONTENT_OPEN311


# --- attributes (the service definition; the same for every service) ----------------------------------


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string | number | datetime | text | singlevaluelist | multivaluelist
    required: bool
    description: str
    datatype_description: str = ""
    values: tuple[tuple[str, str], ...] = ()

    def as_dict(self, order: int) -> dict:
        return {
            "variable": True,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description,
            "order": order,
            "description": self.description,
            "values": [{"key": k, "name": n} for k, n in self.values],
        }


ATTRIBUTES = (
    Attribute("title", "string", False, "诉求标题", "不超过 100 字"),
    Attribute(
        "hazard",
        "singlevaluelist",
        True,
        "是否存在安全隐患",
        "选择 none / safety / life；life（危及人身或财产安全）按紧急诉求计时",
        (("none", "无安全隐患"), ("safety", "存在安全隐患"), ("life", "危及人身或财产安全")),
    ),
    Attribute(
        "affected",
        "multivaluelist",
        False,
        "涉及的特殊人群",
        "可多选：attribute[affected][]=elderly&attribute[affected][]=children",
        (
            ("elderly", "老年人"),
            ("children", "儿童"),
            ("disabled", "残疾人"),
            ("pregnant", "孕妇"),
            ("households", "多户居民"),
        ),
    ),
    Attribute(
        "observed_at", "datetime", False, "发现问题的时间", "ISO 8601，含时区，如 2026-11-21T08:15:30+08:00"
    ),
)
ATTRIBUTE_BY_CODE = {a.code: a for a in ATTRIBUTES}


def endpoint(methods: tuple[str, ...]):
    """Wrap a view: allowed methods, the jurisdiction check and Open311Error → the error format."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, fmt, *args, **kwargs):
            try:
                if request.method not in methods:
                    raise Open311Error(
                        405, f"不支持 {request.method} 方法", headers={"Allow": ", ".join(methods)}
                    )
                jurisdiction = _arg(request, "jurisdiction_id")
                if jurisdiction is not None and jurisdiction != settings.OPEN311_JURISDICTION_ID:
                    raise Open311Error(404, f"未知的 jurisdiction_id：{jurisdiction}")
                return view(request, fmt, *args, **kwargs)
            except Open311Error as error:
                return error_answer(fmt, error)

        return csrf_exempt(wrapper)  # POST is authenticated by its api_key, not by a session

    return decorate


# --- input --------------------------------------------------------------------------------------------


def _arg(request, name: str) -> str | None:
    """A parameter from the form body (POST) or the query string; empty counts as absent."""
    value = request.POST.get(name) if request.method == "POST" else None
    if value is None or not value.strip():
        value = request.GET.get(name)
    value = (value or "").strip()
    return value or None


def _datetime(value: str, name: str) -> datetime:
    # An unencoded "+08:00" in a query string arrives as " 08:00".
    text = re.sub(r" (\d{2}(:?\d{2})?)$", r"+\1", value.strip())
    try:
        parsed = parse_datetime(text)
        if parsed is None and (day := parse_date(text)) is not None:
            parsed = datetime.combine(day, time.min)
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(400, f"{name} 应为 ISO 8601 日期时间，如 2026-11-21T08:15:30+08:00")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _date_range(request) -> tuple[datetime, datetime]:
    """start_date/end_date: at most 90 days; by default the last 90 days (GeoReport v2)."""
    start, end = _arg(request, "start_date"), _arg(request, "end_date")
    start = _datetime(start, "start_date") if start else None
    end = _datetime(end, "end_date") if end else None
    span = timedelta(days=MAX_DAYS)
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - span
    if end is None:
        end = start + span
    if end < start:
        raise Open311Error(400, "end_date 不能早于 start_date")
    if end - start > span:
        raise Open311Error(400, f"start_date 与 end_date 的间隔不能超过 {MAX_DAYS} 天")
    return start, end


def _ids(value: str) -> list[int]:
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError as exc:
        raise Open311Error(400, "service_request_id 应为以逗号分隔的数字编号") from exc


def _page(request) -> slice:
    """The `page`/`page_size` extension; one page holds at most 1000 records (the default)."""
    try:
        page = int(_arg(request, "page") or 1)
        size = int(_arg(request, "page_size") or MAX_RECORDS)
    except ValueError as exc:
        raise Open311Error(400, "page 与 page_size 应为正整数") from exc
    if page < 1 or page > 1_000_000 or not 1 <= size <= MAX_RECORDS:
        raise Open311Error(400, f"page 应 ≥ 1，page_size 应在 1–{MAX_RECORDS} 之间")
    return slice((page - 1) * size, page * size)


# --- services ------------------------------------------------------------------------------------------


@dataclass
class Service:
    category: Category
    names: list[str]
    sensitive: bool

    def as_dict(self) -> dict:
        description = " / ".join(self.names)
        if self.sensitive:
            description += "（敏感类别：公开信息只显示到网格）"
        return {
            "service_code": str(self.category.pk),
            "service_name": self.category.name,
            "description": description,
            "metadata": True,
            "type": "realtime",
            "keywords": ",".join(self.names),
            "group": self.names[0],
        }


def service_list() -> list[Service]:
    """The services: active categories without active children, under active ancestors (one query)."""
    step = Category.steplen
    nodes = list(Category.objects.order_by("path").only("id", "path", "name", "is_sensitive", "is_active"))
    state: dict[str, tuple[bool, list[str], bool]] = {}  # path → (live, names, sensitive)
    has_live_child: set[str] = set()
    for node in nodes:  # path order: every parent comes before its children
        parent = state.get(node.path[:-step], (True, [], False))
        live = node.is_active and parent[0]
        state[node.path] = (live, [*parent[1], node.name], node.is_sensitive or parent[2])
        if live:
            has_live_child.add(node.path[:-step])
    return [
        Service(node, state[node.path][1], state[node.path][2])
        for node in nodes
        if state[node.path][0] and node.path not in has_live_child
    ]


def _service(code: str | None) -> Service:
    found = next((s for s in service_list() if str(s.category.pk) == code), None)
    if found is None:
        raise Open311Error(404, f"未找到服务 service_code={code}")
    return found


@endpoint(("GET",))
def services_view(request, fmt):
    return answer(fmt, "services", [s.as_dict() for s in service_list()])


@endpoint(("GET",))
def service_definition_view(request, fmt, service_code):
    service = _service(service_code)
    attributes = [a.as_dict(order) for order, a in enumerate(ATTRIBUTES, start=1)]
    return answer(
        fmt, "service_definition", {"service_code": str(service.category.pk), "attributes": attributes}
    )


# --- POST requests -------------------------------------------------------------------------------------

_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_PHONE = re.compile(r"^\+?\d[\d\- ]{4,19}$")
_ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


def _api_key(request):
    from redgrid.accounts.services import api_key_authenticate

    plain = _arg(request, "api_key")
    if plain is None:
        raise Open311Error(403, "缺少 api_key：提交诉求需要平台签发的 API 密钥")
    key = api_key_authenticate(plain)
    if key is None:
        raise Open311Error(403, "api_key 无效或已吊销")
    return key


def _attributes(request, errors: list[str]) -> dict:
    """attribute[code]=v and attribute[code][]=v1&attribute[code][]=v2, checked against ATTRIBUTES.
    Codes this deployment does not define are ignored (clients may send their own extras)."""
    given: dict[str, list[str]] = {}
    for key in request.POST:
        match = _ATTRIBUTE_KEY.match(key)
        if match and match.group(1) in ATTRIBUTE_BY_CODE:
            values = [v.strip() for v in request.POST.getlist(key) if v.strip()]
            given.setdefault(match.group(1), []).extend(values)
    result = {}
    for attr in ATTRIBUTES:
        values = given.get(attr.code, [])
        label = f"attribute[{attr.code}]（{attr.description}）"
        if not values:
            if attr.required:
                errors.append(f"缺少必填属性 {label}")
            continue
        keys = dict(attr.values)
        if attr.datatype in ("singlevaluelist", "multivaluelist") and any(v not in keys for v in values):
            errors.append(f"{label} 的取值应为 {' / '.join(keys)} 之一")
        elif attr.datatype != "multivaluelist" and len(values) > 1:
            errors.append(f"{label} 只能有一个值")
        elif attr.datatype == "datetime":
            try:
                result[attr.code] = _datetime(values[0], f"attribute[{attr.code}]")
            except Open311Error as exc:
                errors.extend(exc.descriptions)
        elif attr.datatype == "string" and len(values[0]) > 100:
            errors.append(f"{label} 不能超过 100 字")
        else:
            result[attr.code] = values if attr.datatype == "multivaluelist" else values[0]
    return result


def _location(request, errors: list[str]) -> dict:
    """One location: lat+long, or address_string, or address_id (a building's number)."""
    lat, lng = _arg(request, "lat"), _arg(request, "long")
    address, address_id = _arg(request, "address_string"), _arg(request, "address_id")
    where = {"lat": None, "lng": None, "address": address or ""}
    if (lat is None) != (lng is None):
        errors.append("lat 与 long 需同时提供")
    elif lat is not None:
        try:
            where["lat"], where["lng"] = float(lat), float(lng)
        except ValueError:
            errors.append("lat 与 long 应为十进制经纬度（WGS84）")
        else:
            if not (-90 <= where["lat"] <= 90 and -180 <= where["lng"] <= 180):
                errors.append("lat 或 long 超出范围")
    if address_id is not None:
        building = Building.objects.filter(pk=int(address_id)).first() if address_id.isdigit() else None
        if building is None:
            errors.append(f"address_id={address_id} 不是有效的楼栋编号")
        elif not address:
            where["address"] = building.address
    if lat is None and address is None and address_id is None:
        errors.append("请提供位置：lat 和 long、address_string 或 address_id 之一")
    return where


def _description(request, errors: list[str]) -> str:
    text = _arg(request, "description") or ""
    if len(text) > MAX_DESCRIPTION:
        errors.append(f"description 不能超过 {MAX_DESCRIPTION} 字（当前 {len(text)} 字）")
    if _HTML.search(text):
        errors.append("description 不能包含 HTML 标签，请提交纯文本")
    return text


def _media_url(request, errors: list[str]) -> str:
    url = _arg(request, "media_url") or ""
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
            if len(url) > 500:
                raise ValidationError("too long")
        except ValidationError:
            errors.append("media_url 应为 http(s) 网址（不超过 500 字符）")
    return url


def _phone(request, errors: list[str]) -> str:
    phone = _arg(request, "phone") or ""
    if phone and not _PHONE.match(phone):
        errors.append("phone 格式不正确")
    return phone


def _note(key, attributes: dict) -> str:
    """The submit event's note: the client system and the attribute answers, for the dispatcher."""
    parts = [f"经 Open311 接入（{key.name}，{key.owner}）"]
    if "hazard" in attributes:
        parts.append(f"安全隐患：{dict(ATTRIBUTE_BY_CODE['hazard'].values)[attributes['hazard']]}")
    if "affected" in attributes:
        names = dict(ATTRIBUTE_BY_CODE["affected"].values)
        parts.append("涉及人群：" + "、".join(names[v] for v in dict.fromkeys(attributes["affected"])))
    if "observed_at" in attributes:
        parts.append(f"发现时间：{local_time(attributes['observed_at'])}")
    return "；".join(parts)


def _create(request, fmt):
    """POST /requests: check the key, the service and every field, then submit through appeal_submit."""
    key = _api_key(request)
    code = _arg(request, "service_code")
    if code is None:
        raise Open311Error(400, "缺少必填参数 service_code（见 services 列表）")
    service = _service(code)
    errors: list[str] = []
    where = _location(request, errors)
    attributes = _attributes(request, errors)
    description = _description(request, errors)
    media_url = _media_url(request, errors)
    phone = _phone(request, errors)
    if errors:
        raise Open311Error(400, *errors)
    title = attributes.get("title", "")
    try:
        result = services.appeal_submit(
            actor=None,
            content=description or title or service.category.name,
            title=title,
            lat=where["lat"],
            lng=where["lng"],
            address=where["address"],
            category=service.category,
            channel=Channel.OPEN311,
            caller_phone=phone,
            urgency=Urgency.URGENT if attributes.get("hazard") == "life" else None,
            client_ip=client_ip(request),
            api_key=key,
            media_url=media_url,
            note=_note(key, attributes),
        )
    except services.RateLimited as exc:
        # Not in GeoReport's error list: 429 is the HTTP status for this, and clients that only know
        # 400/403/404 still see a failure with the reason and when to retry (Retry-After).
        raise Open311Error(429, str(exc), headers={"Retry-After": str(exc.retry_after)}) from exc
    except ValidationError as exc:
        raise Open311Error(400, *exc.messages) from exc
    except PermissionDenied as exc:
        raise Open311Error(403, str(exc)) from exc
    appeal = result.appeal
    handler = str(appeal.street) if appeal.street_id else "平台"
    notice = f"已受理，编号 {appeal.pk}；由{handler}分拣派单，办结时限 {local_time(appeal.resolve_due_at)}"
    return answer(
        fmt,
        "service_requests",
        [{"service_request_id": str(appeal.pk), "service_notice": notice, "account_id": None}],
    )


# --- GET requests, tokens and updates ----------------------------------------------------------------


def _requests_answer(fmt, appeals: list[Appeal]) -> HttpResponse:
    paths, places = sensitive_paths(), public_places(appeals)
    return answer(fmt, "service_requests", [request_out(a, paths, places) for a in appeals])


def _search(request, fmt):
    qs = public_requests().order_by("-created_at", "-id")
    ids = _arg(request, "service_request_id")
    if ids is not None:  # overrides every other filter
        return _requests_answer(fmt, list(qs.filter(pk__in=_ids(ids))[:MAX_RECORDS]))
    codes = _arg(request, "service_code")
    if codes is not None:
        qs = qs.filter(category_id__in=_service_codes(codes))
    start, end = _date_range(request)
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    status = _arg(request, "status")
    if status is not None:
        wanted = set(status.lower().split(","))
        if not wanted <= {"open", "closed"}:
            raise Open311Error(400, "status 应为 open 或 closed")
        if wanted == {"open"}:
            qs = qs.filter(status__in=OPEN_STATES)
        elif wanted == {"closed"}:
            qs = qs.exclude(status__in=OPEN_STATES)
    return _requests_answer(fmt, list(qs[_page(request)]))


def _service_codes(codes: str) -> list[int]:
    try:
        return [int(c) for c in codes.split(",") if c.strip()]
    except ValueError as exc:
        raise Open311Error(400, "service_code 应为以逗号分隔的服务代码") from exc


@endpoint(("GET", "POST"))
def requests_view(request, fmt):
    return _create(request, fmt) if request.method == "POST" else _search(request, fmt)


@endpoint(("GET",))
def request_view(request, fmt, service_request_id):
    appeal = public_requests().filter(pk=service_request_id).first() if service_request_id.isdigit() else None
    if appeal is None:
        raise Open311Error(404, f"未找到诉求 service_request_id={service_request_id}")
    return _requests_answer(fmt, [appeal])


@endpoint(("GET",))
def token_view(request, fmt, token):
    # redgrid is `realtime`: POST answers the service_request_id at once and never hands out tokens.
    raise Open311Error(
        404, f"未找到 token={token}：本平台实时受理（type=realtime），提交后直接返回 service_request_id"
    )


@endpoint(("GET",))
def updates_view(request, fmt):
    events = AppealEvent.objects.select_related(
        "appeal__category", "appeal__suggested_category", "unit"
    ).order_by("at", "id")
    ids = _arg(request, "service_request_id")
    if ids is not None:
        events = events.filter(appeal_id__in=_ids(ids))
    start, end = _date_range(request)
    events = events.filter(at__gte=start, at__lte=end, action__in=list(PUBLIC_UPDATE_ACTIONS))
    paths = sensitive_paths()
    rows = []
    for event in events[_page(request)]:
        text = update_text(event, is_sensitive(event.appeal, paths))
        if text is not None:
            rows.append(
                {
                    "update_id": str(event.pk),
                    "service_request_id": str(event.appeal_id),
                    "status": status_of(event.to_state),
                    "updated_datetime": iso(event.at),
                    "description": text,
                    "media_url": None,
                }
            )
    return answer(fmt, "service_request_updates", rows)


# --- discovery ---------------------------------------------------------------------------------------


@endpoint(("GET",))
def discovery_view(request, fmt):
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": "json"}))
    return answer(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": settings.OPEN311_CONTACT,
            "key_service": "API 密钥由平台管理员在“系统管理 → API 密钥”签发（只显示一次），提交诉求时以 api_key 参数传入",
            "endpoints": [
                {
                    "specification": SPEC_URL,
                    "url": base.removesuffix("/services.json"),
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )
