"""Open311 GeoReport v2 (docs/open311.md): every method in JSON and XML, errors, keys, limits and privacy."""

import hashlib
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from redgrid.accounts.models import ApiKey
from redgrid.accounts.services import api_key_issue, api_key_revoke
from redgrid.appeals import services
from redgrid.appeals.models import Appeal, AppealEvent, Channel, Status
from redgrid.core.models import AuditLog, Rule

BASE = "/open311/v2"
KEY = "test-open311-key"
# Inside grid A1 (a 0.01° square at 119.10, 36.70) and inside C1 of the other street.
A1_POINT = {"lat": "36.705", "long": "119.105"}
C1_POINT = {"lat": "36.705", "long": "119.205"}

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
UPDATE_FIELDS = ["update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"]


@pytest.fixture
def key(world):
    key = ApiKey(name="区12345平台", owner="奎文区政务服务中心", street=world.regions["guangwen"])
    api_key_issue(actor=None, key=key, plain=KEY)
    return key


@pytest.fixture
def file(client, world, key):
    """`file(fmt="json", ip=..., **fields)` → the POST /requests response (a valid request by default)."""

    def _file(fmt="json", ip="10.0.0.1", api_key=KEY, **fields):
        data = {
            "api_key": api_key,
            "service_code": str(world.categories["lights"].pk),
            "attribute[hazard]": "none",
            "description": "路灯不亮了，晚上很黑",
            **A1_POINT,
        }
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        return client.post(f"{BASE}/requests.{fmt}", data, REMOTE_ADDR=ip)

    return _file


def xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    return ET.fromstring(response.content)


def children(element) -> list[str]:
    return [child.tag for child in element]


def errors_of(response, fmt="json") -> list[str]:
    if fmt == "json":
        body = response.json()
        assert all(set(e) == {"code", "description"} and e["code"] == response.status_code for e in body)
        return [e["description"] for e in body]
    root = xml(response)
    assert root.tag == "errors" and children(root) and set(children(root)) == {"error"}
    assert all(children(e) == ["code", "description"] for e in root)
    assert all(e.findtext("code") == str(response.status_code) for e in root)
    return [e.findtext("description") for e in root]


# --- discovery, services, definitions ---------------------------------------------------------------


def test_discovery_names_the_v2_endpoint_and_both_formats(client, world):
    body = client.get("/open311/discovery.json").json()
    assert body["endpoints"][0]["url"] == "http://testserver/open311/v2"
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(body["endpoints"][0]["formats"]) == {"text/xml", "application/json"}
    root = xml(client.get("/open311/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_the_services_are_the_active_leaf_categories_in_json_and_xml(client, world):
    lights = world.categories["lights"]
    world.categories["municipal"].add_child(name="已停用小类", level=3, is_active=False)
    urban = world.categories["urban"]
    urban.refresh_from_db()
    closed_branch = urban.add_child(name="停用中类", level=2, is_active=False)
    closed_branch.add_child(name="停用中类下的小类", level=3)

    body = client.get(f"{BASE}/services.json").json()
    assert body == [
        {
            "service_code": str(lights.pk),
            "service_name": "城市公共设施",
            "description": "城乡建设 / 城市建设和市政管理 / 城市公共设施",
            "metadata": True,
            "type": "realtime",
            "keywords": "城乡建设,城市建设和市政管理,城市公共设施",
            "group": "城乡建设",
        }
    ]
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and children(root) == ["service"]
    service = root.find("service")
    assert children(service) == SERVICE_FIELDS
    assert service.findtext("metadata") == "true" and service.findtext("service_name") == "城市公共设施"


def test_a_service_definition_lists_its_attributes_with_their_values(client, world):
    code = str(world.categories["lights"].pk)
    body = client.get(f"{BASE}/services/{code}.json").json()
    assert body["service_code"] == code
    hazard = next(a for a in body["attributes"] if a["code"] == "hazard")
    assert hazard["required"] is True and hazard["datatype"] == "singlevaluelist"
    assert {v["key"] for v in hazard["values"]} == {"none", "safety", "life"}
    assert [a["order"] for a in body["attributes"]] == [1, 2, 3, 4]
    assert {a["datatype"] for a in body["attributes"]} == {
        "string",
        "singlevaluelist",
        "multivaluelist",
        "datetime",
    }

    root = xml(client.get(f"{BASE}/services/{code}.xml"))
    assert root.tag == "service_definition" and children(root) == ["service_code", "attributes"]
    attributes = root.find("attributes")
    assert set(children(attributes)) == {"attribute"} and len(attributes) == 4
    for attribute in attributes:
        assert children(attribute) == ATTRIBUTE_FIELDS
    values = root.find("attributes/attribute[code='hazard']/values")
    assert children(values) == ["value"] * 3 and children(values[0]) == ["key", "name"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_or_non_leaf_service_code_answers_404(client, world, fmt):
    for code in ["999999", str(world.categories["municipal"].pk)]:
        response = client.get(f"{BASE}/services/{code}.{fmt}")
        assert response.status_code == 404
        assert errors_of(response, fmt) == [f"未找到服务 service_code={code}"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_jurisdiction_answers_404_and_ours_or_an_empty_one_is_accepted(client, world, fmt):
    response = client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "beijing"})
    assert response.status_code == 404
    assert errors_of(response, fmt) == ["未知的 jurisdiction_id：beijing"]
    assert client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "redgrid"}).status_code == 200
    assert client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": ""}).status_code == 200


# --- POST requests -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api_key", "message"),
    [
        (None, "缺少 api_key：提交诉求需要平台签发的 API 密钥"),
        ("", "缺少 api_key：提交诉求需要平台签发的 API 密钥"),
        ("not-a-key", "api_key 无效或已吊销"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_posting_without_a_valid_api_key_is_refused_with_403(file, fmt, api_key, message):
    response = file(fmt, api_key=api_key)
    assert response.status_code == 403
    assert errors_of(response, fmt) == [message]
    assert not Appeal.objects.exists()


def test_a_revoked_key_is_refused_with_403(file, key):
    assert api_key_revoke(actor=None, key=key) is True
    response = file()
    assert response.status_code == 403 and errors_of(response) == ["api_key 无效或已吊销"]
    assert not Appeal.objects.exists()


def test_a_keys_request_lands_on_the_grid_of_its_point_and_in_the_streets_rest_list(
    file, client, world, key, api_token
):
    response = file()
    assert response.status_code == 200, response.content
    [answer] = response.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert answer["account_id"] is None and "办结时限" in answer["service_notice"]
    appeal = Appeal.objects.get(pk=answer["service_request_id"])
    assert appeal.grid == world.regions["A1"] and appeal.street == world.regions["guangwen"]
    assert appeal.channel == Channel.OPEN311 and appeal.api_key == key and appeal.reporter is None
    assert appeal.category == world.categories["lights"]
    event = appeal.events.get(action="submit")
    assert event.data["api_key"] == KEY[:8] and "区12345平台" in event.note

    listed = client.get("/api/v1/appeals", **api_token(world.user("street"))).json()["items"]
    assert [(a["id"], a["channel"]) for a in listed] == [(appeal.pk, "open311")]
    outsider = client.get("/api/v1/appeals", **api_token(world.user("outsider_street"))).json()["items"]
    assert outsider == []


def test_a_client_without_session_or_csrf_token_can_post_with_its_key(world, key):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    data = {"api_key": KEY, "service_code": str(world.categories["lights"].pk), "attribute[hazard]": "none"}
    assert strict.post(f"{BASE}/requests.json", {**data, **A1_POINT}).status_code == 200


def test_a_point_in_the_other_street_goes_there_whatever_the_keys_street(file, world):
    appeal = Appeal.objects.get(pk=file(**C1_POINT).json()[0]["service_request_id"])
    assert appeal.grid == world.regions["C1"] and appeal.street == world.regions["dongguan"]


def test_the_post_answer_in_xml_is_a_service_requests_list(file):
    root = xml(file("xml"))
    assert root.tag == "service_requests" and children(root) == ["request"]
    assert children(root[0]) == ["service_request_id", "service_notice", "account_id"]
    assert Appeal.objects.filter(pk=root[0].findtext("service_request_id")).exists()
    assert root[0].find("account_id").text is None  # an empty element: Open311 submitters have no account


def test_an_address_nobody_knows_goes_to_the_triage_queue_of_the_keys_street(file, world):
    response = file(lat=None, long=None, address_string="某个不存在的地址 88 号")
    appeal = Appeal.objects.get(pk=response.json()[0]["service_request_id"])
    assert appeal.grid is None and appeal.street == world.regions["guangwen"]
    assert appeal.address == "某个不存在的地址 88 号"


def test_an_address_id_is_a_building_and_places_the_request_in_its_grid(file, world):
    building = world.regions["B1"].buildings.get()
    response = file(lat=None, long=None, address_id=str(building.pk))
    appeal = Appeal.objects.get(pk=response.json()[0]["service_request_id"])
    assert appeal.grid == world.regions["B1"] and appeal.address == building.address


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"lat": None, "long": None}, ["请提供位置：lat 和 long、address_string 或 address_id 之一"]),
        ({"long": None}, ["lat 与 long 需同时提供"]),
        ({"lat": "north"}, ["lat 与 long 应为十进制经纬度（WGS84）"]),
        ({"lat": "95"}, ["lat 或 long 超出范围"]),
        ({"lat": None, "long": None, "address_id": "77777"}, ["address_id=77777 不是有效的楼栋编号"]),
        ({"attribute[hazard]": None}, ["缺少必填属性 attribute[hazard]（是否存在安全隐患）"]),
        (
            {"attribute[hazard]": "maybe"},
            ["attribute[hazard]（是否存在安全隐患） 的取值应为 none / safety / life 之一"],
        ),
        (
            {"attribute[affected][]": ["elderly", "aliens"]},
            [
                "attribute[affected]（涉及的特殊人群） 的取值应为 elderly / children / disabled / pregnant / households 之一"
            ],
        ),
        (
            {"attribute[observed_at]": "yesterday"},
            ["attribute[observed_at] 应为 ISO 8601 日期时间，如 2026-11-21T08:15:30+08:00"],
        ),
        ({"description": "灯<b>坏了</b>"}, ["description 不能包含 HTML 标签，请提交纯文本"]),
        ({"description": "灯" * 4001}, ["description 不能超过 4000 字（当前 4001 字）"]),
        ({"media_url": "javascript:alert(1)"}, ["media_url 应为 http(s) 网址（不超过 500 字符）"]),
        ({"phone": "call me"}, ["phone 格式不正确"]),
        (
            {"lat": None, "long": None, "attribute[hazard]": None},
            [
                "请提供位置：lat 和 long、address_string 或 address_id 之一",
                "缺少必填属性 attribute[hazard]（是否存在安全隐患）",
            ],
        ),
        ({"service_code": None}, ["缺少必填参数 service_code（见 services 列表）"]),
    ],
)
def test_bad_input_answers_400_naming_every_problem_and_saves_nothing(file, fields, errors):
    for fmt in ("json", "xml"):
        response = file(fmt, **fields)
        assert response.status_code == 400, response.content
        assert errors_of(response, fmt) == errors
    assert not Appeal.objects.exists()


def test_posting_an_unknown_service_answers_404(file):
    response = file(service_code="424242")
    assert response.status_code == 404 and errors_of(response) == ["未找到服务 service_code=424242"]


def test_a_description_of_exactly_4000_characters_is_accepted(file):
    response = file(description="灯" * 4000)
    assert response.status_code == 200
    assert len(Appeal.objects.get().content) == 4000


def test_attributes_reach_the_dispatcher_and_a_danger_to_life_is_urgent(file):
    response = file(
        **{
            "attribute[hazard]": "life",
            "attribute[affected][]": ["elderly", "children"],
            "attribute[observed_at]": "2026-11-21T08:15:30+08:00",
            "attribute[title]": "井盖缺失",
            "attribute[unknown_extra]": "ignored",
            "media_url": "https://example.org/photo.jpg",
            "phone": "13912345678",
            "first_name": "张",
            "email": "zhang@example.org",
        }
    )
    appeal = Appeal.objects.get(pk=response.json()[0]["service_request_id"])
    assert appeal.title == "井盖缺失" and appeal.urgency == "urgent"
    assert appeal.media_url == "https://example.org/photo.jpg"
    assert appeal.caller_phone_last4 == "5678"
    note = appeal.events.get(action="submit").note
    assert "安全隐患：危及人身或财产安全" in note and "涉及人群：老年人、儿童" in note
    assert "发现时间：2026-11-21 08:15" in note


def test_empty_optional_arguments_count_as_absent(file, client):
    response = file(
        address_string="",
        address_id="",
        media_url="",
        phone="",
        email="",
        jurisdiction_id="",
        **{"attribute[affected][]": "", "attribute[title]": ""},
    )
    assert response.status_code == 200, response.content
    appeal = Appeal.objects.get()
    assert appeal.media_url == "" and appeal.title == "" and appeal.caller_phone_last4 == ""
    listed = client.get(f"{BASE}/requests.json", {"status": "", "service_code": "", "start_date": ""})
    assert [r["service_request_id"] for r in listed.json()] == [str(appeal.pk)]


def test_a_request_without_description_takes_the_service_name(file):
    file(description=None)
    assert Appeal.objects.get().content == "城市公共设施"


# --- GET requests ------------------------------------------------------------------------------------


def test_a_request_reads_back_with_every_field_in_json_and_xml(file, client, world):
    appeal_id = file().json()[0]["service_request_id"]
    [body] = client.get(f"{BASE}/requests/{appeal_id}.json").json()
    assert list(body) == REQUEST_FIELDS
    assert body["status"] == "open" and body["status_notes"] == "受理"
    assert body["service_code"] == str(world.categories["lights"].pk)
    assert body["agency_responsible"] == "广文街道"  # 首接负责: the street until a unit is dispatched
    assert body["requested_datetime"].endswith("+08:00") and body["expected_datetime"].endswith("+08:00")
    assert (body["lat"], body["long"]) == (36.705, 119.105)

    root = xml(client.get(f"{BASE}/requests/{appeal_id}.xml"))
    assert root.tag == "service_requests" and children(root) == ["request"]
    assert children(root[0]) == REQUEST_FIELDS
    assert root[0].findtext("service_request_id") == appeal_id and root[0].findtext("status") == "open"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_request_id_answers_404(client, world, fmt):
    for request_id in ["424242", "abc"]:
        response = client.get(f"{BASE}/requests/{request_id}.{fmt}")
        assert response.status_code == 404
        assert errors_of(response, fmt) == [f"未找到诉求 service_request_id={request_id}"]


def test_closed_cancelled_and_rejected_appeals_are_closed_and_the_rest_open(client, make_appeal):
    states = {s: make_appeal(s).pk for s in Status.values}

    def listed(status):
        return {
            int(r["service_request_id"])
            for r in client.get(f"{BASE}/requests.json", {"status": status}).json()
        }

    closed = {states[s] for s in ("closed", "cancelled", "rejected")}
    assert listed("closed") == closed
    assert listed("open") == set(states.values()) - closed
    response = client.get(f"{BASE}/requests.json", {"status": "pending"})
    assert response.status_code == 400 and errors_of(response) == ["status 应为 open 或 closed"]


def test_status_notes_agency_and_deadline_follow_the_handling(client, make_appeal, world):
    appeal = make_appeal("in_progress")
    services.appeal_reply(actor=world.user("unit"), appeal=appeal, content="已更换灯泡，恢复照明")
    [body] = client.get(f"{BASE}/requests/{appeal.pk}.json").json()
    assert body["status"] == "open" and body["status_notes"] == "已反馈：已更换灯泡，恢复照明"
    assert body["agency_responsible"] == "奎文区综合行政执法局"
    appeal.refresh_from_db()
    assert body["expected_datetime"] == timezone.localtime(appeal.resolve_due_at).isoformat(
        timespec="seconds"
    )


def test_get_requests_filter_by_id_code_and_dates_within_90_days(client, make_appeal, world):
    old = make_appeal(created_at=timezone.now() - timedelta(days=100))
    recent = make_appeal()
    other = world.categories["municipal"].add_child(name="环境卫生", level=3)
    elsewhere = make_appeal(category=other)

    def ids(**params):
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        return [int(r["service_request_id"]) for r in response.json()]

    assert set(ids()) == {recent.pk, elsewhere.pk}  # the last 90 days by default
    assert ids(service_code=str(other.pk)) == [elsewhere.pk]
    # service_request_id overrides every other filter, even a date range the appeal is outside of.
    assert ids(service_request_id=f"{old.pk},{recent.pk}", status="closed") == [recent.pk, old.pk]
    start = (timezone.now() - timedelta(days=110)).isoformat()
    assert ids(start_date=start) == [old.pk]  # start + 90 days
    # An unencoded "+08:00" arrives as " 08:00" and is still understood.
    end = timezone.localtime(timezone.now() - timedelta(days=95)).isoformat(timespec="seconds")
    assert ids(end_date=end.replace("+", " ")) == [old.pk]
    too_long = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},
    )
    assert too_long.status_code == 400 and errors_of(too_long) == [
        "start_date 与 end_date 的间隔不能超过 90 天"
    ]
    bad = client.get(f"{BASE}/requests.json", {"start_date": "last week"})
    assert bad.status_code == 400 and errors_of(bad) == [
        "start_date 应为 ISO 8601 日期时间，如 2026-11-21T08:15:30+08:00"
    ]


def test_get_requests_pages_with_page_and_page_size_up_to_1000(client, make_appeal):
    made = [make_appeal().pk for _ in range(5)]
    newest_first = sorted(made, reverse=True)
    page2 = client.get(f"{BASE}/requests.json", {"page": 2, "page_size": 2}).json()
    assert [int(r["service_request_id"]) for r in page2] == newest_first[2:4]
    too_big = client.get(f"{BASE}/requests.json", {"page_size": 1001})
    assert too_big.status_code == 400


def test_the_list_costs_four_queries_whatever_its_length(client, make_appeal, django_assert_num_queries):
    for _ in range(6):
        make_appeal(address="A1路1号1号楼1单元101室")
    # 1 sensitive category paths, 2 the appeals with the last public note, 3 households and
    # 4 buildings matching their addresses.
    with django_assert_num_queries(4):
        response = client.get(f"{BASE}/requests.xml")
    assert len(xml(response)) == 6


def test_get_answers_hold_no_personal_data(client, world, file, make_appeal):
    hotline = services.appeal_submit(
        actor=world.user("street"),
        content="我是张三，电话13912345678，身份证370705197001010012，楼下烧烤油烟大",
        channel=Channel.HOTLINE,
        caller_phone="13800001111",
        lat=36.705,
        lng=119.105,
    ).appeal
    make_appeal(reporter="resident")
    file(phone="13911112222", first_name="李", last_name="四", email="li@example.org", account_id="fms-7")
    for fmt in ("json", "xml"):
        text = client.get(f"{BASE}/requests.{fmt}").content.decode()
        text += client.get(f"{BASE}/requests/{hotline.pk}.{fmt}").content.decode()
        for secret in [
            "13912345678",
            "370705197001010012",
            "13800001111",
            "1111",
            "13911112222",
            "li@example.org",
            "fms-7",
            "resident",
            "李",
            "reporter",
            "phone",
            "email",
        ]:
            assert secret not in text, (secret, fmt)
        assert "139****5678" in text


def test_a_sensitive_category_shows_only_the_grid_and_no_text(client, world, make_appeal):
    secret = world.categories["urban"].add_sibling(name="政法", level=1, is_sensitive=True)
    leaf = secret.add_child(name="社会治安", level=2).add_child(name="治安问题", level=3)
    appeal = make_appeal(
        category=leaf,
        lat=36.7011,
        lng=119.1012,
        address="A1路1号1号楼1单元101室",
        content="隔壁101室有人聚赌",
        media_url="https://example.org/x.jpg",
    )
    [body] = client.get(f"{BASE}/requests/{appeal.pk}.json").json()
    grid = world.regions["A1"]
    assert (body["lat"], body["long"]) == (grid.center_lat, grid.center_lng)
    assert body["address"] == grid.name and body["address_id"] is None
    assert body["description"] == "（敏感类别，内容不公开）" and body["media_url"] is None
    assert "101" not in str(body) and "聚赌" not in str(body)


def test_a_household_address_is_published_as_its_building(client, world, make_appeal):
    building = world.regions["A1"].buildings.get()
    appeal = make_appeal(address="A1路1号1号楼1单元101室", lat=36.705, lng=119.105)
    [body] = client.get(f"{BASE}/requests/{appeal.pk}.json").json()
    assert body["address"] == building.address and body["address_id"] == str(building.pk)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_tokens_are_never_issued_by_a_realtime_service(client, world, fmt):
    response = client.get(f"{BASE}/tokens/abc123.{fmt}")
    assert response.status_code == 404
    assert errors_of(response, fmt)[0].startswith("未找到 token=abc123")


# --- updates (FixMyStreet extension) ---------------------------------------------------------------


def test_request_updates_publish_the_public_timeline_only(client, world, make_appeal):
    appeal = make_appeal("registered")
    services.appeal_dispatch(actor=world.user("street"), appeal=appeal, unit=world.units["chengguan"])
    services.appeal_return(actor=world.user("unit"), appeal=appeal, reason="不属于我局职责，内部说明")
    services.appeal_dispatch(actor=world.user("street"), appeal=appeal, unit=world.units["chengguan"])
    services.appeal_accept(actor=world.user("unit"), appeal=appeal)
    services.appeal_reply(actor=world.user("unit"), appeal=appeal, content="已修复，联系电话13912345678")
    services.appeal_verify(actor=world.user("gridworker"), appeal=appeal, passed=True)

    body = client.get(f"{BASE}/servicerequestupdates.json").json()
    assert [u["description"] for u in body] == [
        "已派遣至奎文区综合行政执法局",
        "已派遣至奎文区综合行政执法局",
        "奎文区综合行政执法局已报到办理",
        "奎文区综合行政执法局反馈办理结果：已修复，联系电话139****5678",
        "核查通过，已办结",
    ]
    assert [u["status"] for u in body] == ["open"] * 4 + ["closed"]
    assert all(list(u) == UPDATE_FIELDS for u in body)
    assert body[-1]["updated_datetime"].endswith("+08:00")
    assert body[0]["update_id"] == str(appeal.events.filter(action="dispatch").first().pk)

    root = xml(client.get(f"{BASE}/servicerequestupdates.xml", {"service_request_id": str(appeal.pk)}))
    assert root.tag == "service_request_updates" and children(root) == ["request_update"] * 5
    assert children(root[0]) == UPDATE_FIELDS


# --- rate limits -------------------------------------------------------------------------------------


def test_a_key_files_exactly_its_hourly_limit_then_gets_429_until_the_hour_has_passed(file, key):
    key.hourly_limit = 3
    key.save()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for n in range(3):
            assert file(ip=f"10.0.1.{n}").status_code == 200
        response = file(ip="10.0.1.9")
        assert response.status_code == 429
        assert errors_of(response) == [
            "提交过于频繁：该 API 密钥每小时最多提交 3 件诉求（该密钥的设定），请稍后再试"
        ]
        assert response["Retry-After"] == "3601"
        assert errors_of(file("xml", ip="10.0.1.9"), "xml")[0].startswith("提交过于频繁")
        traveller.shift(timedelta(hours=1, seconds=1))
        assert file(ip="10.0.1.9").status_code == 200
    assert Appeal.objects.filter(api_key=key).count() == 4


def test_a_key_without_its_own_limit_follows_the_rules_table(file):
    Rule.objects.create(key="appeals.intake.per_key_per_hour", value=2)
    assert [file(ip=f"10.0.2.{n}").status_code for n in range(3)] == [200, 200, 429]


def test_one_address_files_at_most_the_ip_limit_across_keys(file, world):
    Rule.objects.create(key="appeals.intake.per_ip_per_hour", value=2)
    other = ApiKey(name="另一个系统", owner="某单位")
    api_key_issue(actor=None, key=other, plain="second-key")
    assert file(ip="10.0.3.1").status_code == 200
    assert file(ip="10.0.3.1", api_key="second-key").status_code == 200
    response = file(ip="10.0.3.1", api_key="second-key")
    assert response.status_code == 429
    assert errors_of(response) == [
        "提交过于频繁：同一网络地址每小时最多提交 2 件诉求（规则 appeals.intake.per_ip_per_hour），请稍后再试"
    ]
    assert file(ip="10.0.3.2").status_code == 200


def test_an_ipv6_client_counts_by_its_64_prefix(file):
    Rule.objects.create(key="appeals.intake.per_ip_per_hour", value=1)
    assert file(ip="2001:db8:1:2::1").status_code == 200
    assert file(ip="2001:db8:1:2:ffff::9").status_code == 429
    assert file(ip="2001:db8:1:3::1").status_code == 200


def test_the_rest_api_limits_intake_per_ip_across_accounts(client, world, api_token):
    Rule.objects.create(key="appeals.intake.per_ip_per_hour", value=2)

    def submit(user, ip):
        return client.post(
            "/api/v1/appeals",
            {"content": "噪音扰民"},
            content_type="application/json",
            REMOTE_ADDR=ip,
            **api_token(world.user(user)),
        )

    assert submit("resident", "10.0.4.1").status_code == 201
    assert submit("member", "10.0.4.1").status_code == 201
    refused = submit("outsider_resident", "10.0.4.1")
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("提交过于频繁：同一网络地址每小时最多提交 2 件诉求")
    assert submit("outsider_resident", "10.0.4.2").status_code == 201
    # Only a keyed hash of the address is kept with the appeal.
    assert not Appeal.objects.filter(client_ip_hash__contains="10.0.4").exists()
    assert Appeal.objects.exclude(client_ip_hash="").count() == 3


def test_staff_channels_are_not_limited_per_address(world):
    Rule.objects.create(key="appeals.intake.per_ip_per_hour", value=1)
    for n in range(3):
        services.appeal_submit(
            actor=world.user("gridworker"),
            content=f"巡查发现问题{n}",
            channel=Channel.PATROL,
            client_ip="10.0.5.1",
            lat=36.705,
            lng=119.105,
        )
    assert Appeal.objects.count() == 3


# --- keys in the admin and the demo --------------------------------------------------------------------


@pytest.fixture
def admin_client(client, world):
    admin = world.user("admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client


def test_the_admin_shows_a_new_key_once_and_keeps_only_its_hash(admin_client, world):
    assert "每小时提交上限" in admin_client.get("/admin/accounts/apikey/add/").content.decode()
    response = admin_client.post(
        "/admin/accounts/apikey/add/",
        {
            "name": "市民热线平台",
            "owner": "区政务服务中心",
            "contact": "王工 0536-1234567",
            "street": world.regions["guangwen"].pk,
            "hourly_limit": "50",
        },
        follow=True,
    )
    assert response.status_code == 200
    [message] = [str(m) for m in response.context["messages"] if "已签发" in str(m)]
    plain = message.split("已签发：")[1].split("　")[0]
    assert plain.startswith("rg311_") and "只显示这一次" in message
    key = ApiKey.objects.get(name="市民热线平台")
    assert key.key_hash == hashlib.sha256(plain.encode()).hexdigest() and key.prefix == plain[:8]
    assert plain not in str(ApiKey.objects.filter(pk=key.pk).values().get())
    assert AuditLog.objects.filter(action="accounts.apikey.issue", object_id=str(key.pk)).exists()
    # The list and the change page show the prefix, never the key again.
    assert plain not in admin_client.get("/admin/accounts/apikey/").content.decode()
    assert plain not in admin_client.get(f"/admin/accounts/apikey/{key.pk}/change/").content.decode()


def test_revoking_in_the_admin_asks_first_then_deactivates_and_audits(admin_client, world, file, key):
    data = {"action": "revoke_keys", "_selected_action": [key.pk]}
    confirm = admin_client.post("/admin/accounts/apikey/", data)
    assert "确认吊销" in confirm.content.decode()
    key.refresh_from_db()
    assert key.is_active
    admin_client.post("/admin/accounts/apikey/", {**data, "confirmed": "yes"})
    key.refresh_from_db()
    assert not key.is_active and key.revoked_at is not None
    assert AuditLog.objects.filter(action="accounts.apikey.revoke", object_id=str(key.pk)).exists()
    assert file().status_code == 403
    assert admin_client.get(f"/admin/accounts/apikey/{key.pk}/delete/").status_code == 403


def test_the_demo_step_creates_the_demo_key_once_and_files_two_appeals(world, settings):
    from redgrid.appeals.demo import DEMO_OPEN311_KEY, open311_demo_key
    from redgrid.demo import DemoContext

    ctx = DemoContext(scale="street", log=lambda line: None)
    settings.DEMO_MODE = False
    open311_demo_key(ctx)
    assert not ApiKey.objects.exists()
    settings.DEMO_MODE = True
    open311_demo_key(ctx)
    open311_demo_key(ctx)
    key = ApiKey.objects.get()
    assert key.key_hash == ApiKey.hash_key(DEMO_OPEN311_KEY) and key.street == world.regions["guangwen"]
    assert Appeal.objects.filter(api_key=key, channel="open311").count() == 2
    assert AppealEvent.objects.filter(action="submit", appeal__api_key=key).count() == 2
