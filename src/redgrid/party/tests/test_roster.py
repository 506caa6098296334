"""Excel roster import (all-or-nothing, row-and-column errors) and export of the filtered list."""

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from redgrid.core.names import PersonGenerator
from redgrid.party import roster
from redgrid.party.models import PartyMember, PartyOrg
from redgrid.regions.models import Resident

pytestmark = pytest.mark.django_db
HEADER = [h for h, _ in roster.COLUMNS]


def _people(n, seed="roster-test"):
    gen = PersonGenerator(seed)
    return [gen.person(min_age=20, max_age=80, today=date(2026, 7, 1)) for _ in range(n)]


def _row(p, org="A1网格党支部", status="正式党员", **over):
    row = {
        "姓名": p.name,
        "性别": "男" if p.gender == "M" else "女",
        "身份证号": p.id_number,
        "手机号": p.phone,
        "民族": p.ethnicity,
        "学历": p.education,
        "所在党组织": org,
        "党员状态": status,
        "入党日期": "2015-07-01",
        "转正日期": "2016-07-01",
        "党费类别": "在职",
        "党内职务": "",
        "工作单位": "",
    }
    row.update(over)
    return row


def _xlsx(rows, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([r.get(h, "") for h in header])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def _import(world, rows, user="branch", **kw):
    return roster.roster_import(
        actor=world.user(user),
        file=_xlsx(rows, **kw),
        orgs=PartyOrg.objects.filter(path__startswith=world.orgs["A1"].path)
        if user == "branch"
        else PartyOrg.objects.all(),
        today=date(2026, 7, 1),
    )


def test_a_clean_file_creates_residents_and_members(world):
    people = _people(3)
    before = Resident.objects.count()
    assert _import(world, [_row(p) for p in people]) == 3
    assert Resident.objects.count() == before + 3
    m = PartyMember.objects.get(person__name=people[0].name, org=world.orgs["A1"])
    assert m.status == "full" and m.joined_on == date(2015, 7, 1)
    assert m.person.id_number_last4 == people[0].id_number[-4:]


def test_a_bad_check_digit_is_reported_by_row_and_column_and_nothing_is_saved(world):
    people = _people(4)
    bad = people[3].id_number[:17] + ("0" if people[3].id_number[17] != "0" else "1")
    rows = [_row(p) for p in people[:3]] + [_row(people[3], 身份证号=bad)]
    before = PartyMember.objects.count()
    with pytest.raises(roster.RosterErrors) as exc:
        _import(world, rows)
    assert exc.value.messages == ["第 5 行「身份证号」：校验位不正确，请检查是否输错"]
    assert PartyMember.objects.count() == before


def test_a_missing_required_column_is_reported(world):
    header = [h for h in HEADER if h != "身份证号"]
    with pytest.raises(roster.RosterErrors, match="缺少列「身份证号」"):
        _import(world, [_row(p) for p in _people(2)], header=header)


def test_a_duplicate_row_names_the_first_occurrence_and_nothing_is_saved(world):
    people = _people(2)
    rows = [_row(people[0]), _row(people[1]), _row(people[0])]
    before = Resident.objects.count()
    with pytest.raises(roster.RosterErrors) as exc:
        _import(world, rows)
    assert exc.value.messages == ["第 4 行「身份证号」：与第 2 行重复"]
    assert Resident.objects.count() == before


def test_every_problem_is_listed_with_its_row_and_column(world):
    p = _people(1)[0]
    rows = [
        _row(
            p,
            姓名="",
            手机号="12345",
            所在党组织="C1网格党支部",
            党员状态="积极分子",
            入党日期="2015-13-01",
            党费类别="其他",
        )
    ]
    with pytest.raises(roster.RosterErrors) as exc:
        _import(world, rows)
    assert exc.value.messages == [
        "第 2 行「姓名」：不能为空",
        "第 2 行「手机号」：应为 11 位手机号码",
        "第 2 行「所在党组织」：未找到“C1网格党支部”，或不在您的管辖范围内",
        "第 2 行「党员状态」：应为“正式党员”或“预备党员”",
        "第 2 行「入党日期」：日期格式应为 YYYY-MM-DD",
        "第 2 行「党费类别」：应为：在职、年薪制、个体/自由职业、离退休、农民、学生、下岗失业、依靠抚恤或低保生活",
    ]


def test_a_person_already_on_the_roster_is_refused_and_an_existing_resident_is_linked(world):
    existing = world.residents["A1-31"]  # a resident, not a member
    p = _people(1)[0]
    existing.id_number = p.id_number
    existing.save()
    assert _import(world, [_row(p)]) == 1
    assert PartyMember.objects.get(person=existing).org == world.orgs["A1"]
    with pytest.raises(roster.RosterErrors, match="第 2 行「身份证号」：该人员已在党员名册中"):
        _import(world, [_row(p)])


def test_a_non_excel_upload_gets_a_chinese_error(world):
    with pytest.raises(roster.RosterErrors, match="无法读取文件"):
        roster.roster_import(
            actor=world.user("branch"), file=io.BytesIO(b"not excel"), orgs=PartyOrg.objects.all()
        )


def test_the_upload_page_shows_errors_and_imports_a_clean_file(world, client):
    client.force_login(world.user("branch"))
    people = _people(2)
    bad = client.post("/party/members/import/", {"file": _named(_xlsx([_row(people[0], 身份证号="123")]))})
    assert bad.status_code == 400 and "第 2 行「身份证号」" in bad.content.decode()
    ok = client.post("/party/members/import/", {"file": _named(_xlsx([_row(p) for p in people]))})
    assert ok.status_code == 200 and "新增党员 2 人" in ok.content.decode()


def test_the_outsider_branch_cannot_import_into_a1(world, client):
    client.force_login(world.user("outsider_branch"))
    response = client.post("/party/members/import/", {"file": _named(_xlsx([_row(_people(1)[0])]))})
    assert response.status_code == 400 and "不在您的管辖范围内" in response.content.decode()


def test_the_template_downloads_with_the_header_row(world, client):
    client.force_login(world.user("branch"))
    response = client.get("/party/members/import/template/")
    wb = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb.worksheets[0][1]] == HEADER


def test_the_export_contains_the_filtered_list_with_masked_ids(world, client):
    client.force_login(world.user("branch"))
    response = client.get("/party/members/export/?status=probationary")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and len(rows) == 2
    assert rows[1][0] == world.members["A1-2"].person.name and rows[1][2].startswith("*")
    client.force_login(world.user("outsider_branch"))
    names = [
        r[0]
        for r in load_workbook(io.BytesIO(client.get("/party/members/export/").content))
        .worksheets[0]
        .iter_rows(values_only=True)
    ]
    assert world.members["A1-0"].person.name not in names


def _named(buf):
    buf.name = "roster.xlsx"
    return buf
