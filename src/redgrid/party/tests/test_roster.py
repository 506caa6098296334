"""Excel roster import (all-or-nothing, row-and-column errors) and export of the filtered list."""

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from redgrid.core.names import PersonGenerator, id_number_birth_date
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
    assert m.status == "full" and m.joined_on == date(2015, 7, 1) and m.full_member_on == date(2016, 7, 1)
    assert m.dues_category == "employed" and m.in_service is False and m.created_at is not None
    person = m.person
    assert person.id_number_last4 == people[0].id_number[-4:] and person.updated_at is not None
    assert person.birth_date == id_number_birth_date(people[0].id_number)
    from redgrid.core.crypto import decrypt  # the encrypted values decrypt to the file's

    assert (
        decrypt(person.id_number_enc) == people[0].id_number and decrypt(person.phone_enc) == people[0].phone
    )


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


def _upload(client, buf, capture, **headers):
    with capture(execute=True):  # the import task is queued on commit; tests run tasks inline
        return client.post("/party/members/import/", {"file": _named(buf)}, **headers)


def test_the_upload_page_queues_a_job_whose_page_shows_the_problems_or_the_members_created(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.user("branch"))
    people = _people(2)
    bad = _upload(client, _xlsx([_row(people[0], 身份证号="123")]), django_capture_on_commit_callbacks)
    assert bad.status_code == 302
    page = client.get(bad["Location"]).content.decode()
    assert "第 2 行「身份证号」" in page and "未导入任何数据" in page
    assert not PartyMember.objects.filter(person__name=people[0].name).exists()
    ok = _upload(client, _xlsx([_row(p) for p in people]), django_capture_on_commit_callbacks)
    page = client.get(ok["Location"]).content.decode()
    assert '新增党员 <span id="job-created">2</span> 人' in page
    listing = client.get("/party/members/import/").content.decode()
    assert "新增党员 2 人" in listing and "1 处问题，未导入" in listing


def test_the_page_script_gets_the_job_address_and_then_its_state_as_json(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.user("branch"))
    response = _upload(
        client,
        _xlsx([_row(p) for p in _people(3)]),
        django_capture_on_commit_callbacks,
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    state = client.get(response.json()["url"] + "?format=json").json()
    assert state == {
        "status": "done",
        "label": "导入成功",
        "running": False,
        "percent": 100,
        "done": 3,
        "total": 3,
        "created": 3,
        "errors": [],
    }


def test_the_file_with_its_id_numbers_is_not_kept_once_the_job_has_read_it(
    world, client, django_capture_on_commit_callbacks
):
    from redgrid.party.models import RosterImportJob

    client.force_login(world.user("branch"))
    _upload(client, _xlsx([_row(p) for p in _people(1)]), django_capture_on_commit_callbacks)
    job = RosterImportJob.objects.get()
    assert job.status == "done" and bytes(job.content_enc) == b""


def test_a_job_not_yet_picked_up_shows_it_is_waiting_for_the_worker(world, client):
    client.force_login(world.user("branch"))
    response = client.post("/party/members/import/", {"file": _named(_xlsx([_row(_people(1)[0])]))})
    page = client.get(response["Location"]).content.decode()
    assert "排队中" in page and "等待后台任务进程处理" in page and 'http-equiv="refresh"' in page
    assert client.get(response["Location"] + "?format=json").json()["running"] is True


def test_the_progress_the_page_polls_moves_through_checking_preparing_and_done(world, client, monkeypatch):
    from redgrid.party import roster_jobs
    from redgrid.party.models import RosterImportJob

    client.force_login(world.user("branch"))
    response = client.post("/party/members/import/", {"file": _named(_xlsx([_row(p) for p in _people(30)]))})
    url = response["Location"] + "?format=json"
    seen = []
    real = roster_jobs._report
    monkeypatch.setattr(roster, "PROGRESS_EVERY", 10)

    def watching(job_id):
        report = real(job_id)

        def progress(phase, done, total):
            report(phase, done, total)
            state = client.get(url).json()
            seen.append((state["status"], state["done"], state["total"], state["percent"]))

        return progress

    monkeypatch.setattr(roster_jobs, "_report", watching)
    roster_jobs.run_roster_job(RosterImportJob.objects.get().pk)
    assert ("checking", 19, 30, 28) in seen and ("preparing", 30, 30, 75) in seen
    percents = [p for status, _, _, p in seen if status != "saving"]
    assert percents == sorted(percents)
    assert client.get(url).json()["percent"] == 100


def test_a_non_excel_or_oversized_upload_is_refused_at_once_and_no_job_is_made(world, client, monkeypatch):
    from redgrid.party import roster_jobs
    from redgrid.party.models import RosterImportJob

    client.force_login(world.user("branch"))
    text = io.BytesIO(b"name,id\n")
    text.name = "roster.csv"
    refused = client.post("/party/members/import/", {"file": text})
    assert refused.status_code == 400 and "无法读取文件" in refused.content.decode()
    monkeypatch.setattr(roster_jobs, "MAX_BYTES", 100)
    big = client.post(
        "/party/members/import/",
        {"file": _named(_xlsx([_row(_people(1)[0])]))},
        HTTP_ACCEPT="application/json",
    )
    assert big.status_code == 400 and "不能超过 20 MB" in big.json()["errors"][0]
    assert not RosterImportJob.objects.exists()


def test_the_outsider_branch_cannot_import_into_a1_nor_see_another_persons_job(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.user("outsider_branch"))
    response = _upload(client, _xlsx([_row(_people(1)[0])]), django_capture_on_commit_callbacks)
    assert "不在您的管辖范围内" in client.get(response["Location"]).content.decode()
    client.force_login(world.user("branch"))
    assert client.get(response["Location"]).status_code == 404
    assert client.get(response["Location"] + "?format=json").status_code == 404


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


def test_the_import_page_lists_recent_jobs_at_the_same_query_cost(world, client):
    from redgrid.party.models import RosterImportJob
    from redgrid.testing import page_queries

    client.force_login(world.user("branch"))
    client.get("/party/members/import/")  # warm the session and rules caches
    RosterImportJob.objects.create(actor=world.user("branch"), file_name="一月.xlsx")
    before = page_queries(client, "/party/members/import/")
    for month in ("二月", "三月", "四月"):
        RosterImportJob.objects.create(
            actor=world.user("branch"), file_name=f"{month}.xlsx", status="done", created=5
        )
    assert page_queries(client, "/party/members/import/") == before
    assert "四月.xlsx" in client.get("/party/members/import/").content.decode()
