"""Excel roster (花名册) import (read with python-calamine) and export (written with openpyxl).

Import is all-or-nothing: every row is checked first and every problem is reported with its row and
column in Chinese (e.g. ``第 5 行「身份证号」：校验位不正确，请检查是否输错``); only a file without a single
error is saved, in one transaction, creating the Resident (居民) and the PartyMember (党员) of each row.
Large files run as a background job (party.roster_jobs) that reports its progress through `progress`.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from python_calamine import CalamineWorkbook

from redgrid.core import audit
from redgrid.core.bulk import fast_insert
from redgrid.core.crypto import lookup_hash, normalise
from redgrid.core.names import (
    FEMALE,
    MALE,
    id_number_birth_date,
    id_number_error,
    id_number_gender,
    phone_is_valid,
)
from redgrid.party.models import PartyMember, PartyOrg
from redgrid.regions.models import Resident

#: (header, required) in template order.
COLUMNS: tuple[tuple[str, bool], ...] = (
    ("姓名", True),
    ("性别", False),
    ("身份证号", True),
    ("手机号", False),
    ("民族", False),
    ("学历", False),
    ("所在党组织", True),
    ("党员状态", True),
    ("入党日期", False),
    ("转正日期", False),
    ("党费类别", False),
    ("党内职务", False),
    ("工作单位", False),
)
STATUS_BY_LABEL = {"正式党员": "full", "正式": "full", "预备党员": "probationary", "预备": "probationary"}
DUES_BY_LABEL = {label: value for value, label in PartyMember.DuesCategory.choices}
GENDER_BY_LABEL = {"男": MALE, "女": FEMALE}
MAX_ERRORS = 200
BATCH = 2000
PROGRESS_EVERY = 2000  # rows between two progress reports

# progress(phase, done, total): phase is "checking" (rows read and checked), "preparing" (rows turned into
# records, encrypting the ID numbers and phones) or "saving" (batches written inside the transaction).
Progress = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


class RosterErrors(ValidationError):
    """All problems of a roster file; nothing was saved."""


@dataclass
class RowData:
    line: int
    name: str
    gender: str
    id_number: str
    phone: str
    ethnicity: str
    education: str
    org: PartyOrg
    status: str
    joined_on: date | None
    full_member_on: date | None
    dues_category: str
    position: str
    work_unit: str


def template_workbook() -> bytes:
    """The downloadable template: the header row, one example row, and a sheet of notes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "党员花名册"
    ws.append([h for h, _ in COLUMNS])
    ws.append(
        [
            "张三",
            "男",
            "370705199001011234",
            "13900000000",
            "汉族",
            "大学本科",
            "A1网格党支部",
            "正式党员",
            "2015-07-01",
            "2016-07-01",
            "在职",
            "",
            "某某公司",
        ]
    )
    for i, (_, required) in enumerate(COLUMNS, start=1):
        ws.cell(row=1, column=i).font = Font(bold=required, color="C00000" if required else None)
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "是否必填", "说明"])
    hints = {
        "身份证号": "18 位居民身份证号码，最后一位可为 X",
        "所在党组织": "与平台中党支部或党小组的名称完全一致，且在您的管辖范围内",
        "党员状态": "正式党员 或 预备党员",
        "入党日期": "支部大会通过为预备党员的日期，格式 YYYY-MM-DD",
        "党费类别": "、".join(DUES_BY_LABEL) + "；留空为在职",
        "性别": "男 或 女；留空按身份证号推断",
    }
    for header, required in COLUMNS:
        notes.append([header, "必填" if required else "选填", hints.get(header, "")])
    notes.append(["", "", "示例行（第 2 行）导入前请删除。任何一行有错误时整个文件都不会导入。"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(_text(value).replace("/", "-").replace(".", "-"))


def _orgs_by_name(orgs) -> dict[str, list[PartyOrg]]:
    by_name: dict[str, list[PartyOrg]] = {}
    for org in orgs.filter(kind__in=list(PartyOrg.BRANCH_KINDS) + list(PartyOrg.GROUP_KINDS)):
        by_name.setdefault(org.name, []).append(org)
    return by_name


def read_rows(file) -> list[list]:
    """Every row of the first sheet as cell values (calamine reads a 100,000-row sheet about 20× faster than
    openpyxl's read-only mode, which took most of the import time). Empty leading rows are kept so that the
    row numbers in error messages are the ones Excel shows."""
    try:
        if hasattr(file, "seek"):
            file.seek(0)
        workbook = CalamineWorkbook.from_filelike(file)
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several types for a non-Excel upload
        raise RosterErrors("无法读取文件，请使用下载的模板（.xlsx 格式）") from exc


def parse_roster(
    file, *, orgs, today: date | None = None, progress: Progress = _no_progress
) -> list[RowData]:
    """Read and check every row; raise RosterErrors with all (up to 200) problems, else return the rows.

    1. The header row must contain every required column (order is free).
    2. Each row: required cells, ID number (GB 11643), phone, organisation in scope, status, dates, category.
    3. Duplicates inside the file, and ID numbers already on the member roster.
    """
    today = today or timezone.localdate()
    table = read_rows(file)
    total = max(len(table) - 1, 0)
    rows = iter(table)
    header = [_text(h) for h in next(rows, ())]
    missing = [h for h, required in COLUMNS if required and h not in header]
    if missing:
        raise RosterErrors([f"第 1 行：缺少列「{h}」" for h in missing])
    index = {h: header.index(h) for h, _ in COLUMNS if h in header}
    by_name = _orgs_by_name(orgs)
    errors: list[str] = []
    parsed: list[RowData] = []
    seen: dict[str, int] = {}

    def err(line, column, message):
        errors.append(f"第 {line} 行「{column}」：{message}")

    progress("checking", 0, total)
    for line, raw in enumerate(rows, start=2):
        if len(errors) >= MAX_ERRORS:
            break
        if line % PROGRESS_EVERY == 0:
            progress("checking", line - 1, total)
        cell = {h: _text(raw[i]) if i < len(raw) else "" for h, i in index.items()}
        if not any(cell.values()):
            continue
        before = len(errors)
        for h, required in COLUMNS:
            if required and not cell.get(h):
                err(line, h, "不能为空")
        id_number = normalise("id_number", cell.get("身份证号", ""))
        if id_number:
            problem = id_number_error(id_number, today)
            if problem:
                err(line, "身份证号", problem.removeprefix("身份证号码"))
            elif id_number in seen:
                err(line, "身份证号", f"与第 {seen[id_number]} 行重复")
            else:
                seen[id_number] = line
        phone = normalise("phone", cell.get("手机号", ""))
        if phone and not phone_is_valid(phone):
            err(line, "手机号", "应为 11 位手机号码")
        gender = cell.get("性别", "")
        if gender and gender not in GENDER_BY_LABEL:
            err(line, "性别", "应为“男”或“女”")
        org = None
        if cell.get("所在党组织"):
            candidates = by_name.get(cell["所在党组织"], [])
            if not candidates:
                err(line, "所在党组织", f"未找到“{cell['所在党组织']}”，或不在您的管辖范围内")
            elif len(candidates) > 1:
                err(line, "所在党组织", f"“{cell['所在党组织']}”有重名，请联系管理员区分名称")
            else:
                org = candidates[0]
        status = STATUS_BY_LABEL.get(cell.get("党员状态", ""))
        if cell.get("党员状态") and status is None:
            err(line, "党员状态", "应为“正式党员”或“预备党员”")
        dates = {}
        for h in ("入党日期", "转正日期"):
            try:
                dates[h] = _date(raw[index[h]] if h in index and index[h] < len(raw) else None)
            except ValueError:
                err(line, h, "日期格式应为 YYYY-MM-DD")
                dates[h] = None
            if dates[h] and dates[h] > today:
                err(line, h, "不能晚于今天")
        dues = DUES_BY_LABEL.get(cell.get("党费类别", "")) if cell.get("党费类别") else "employed"
        if dues is None:
            err(line, "党费类别", "应为：" + "、".join(DUES_BY_LABEL))
        if len(errors) == before:
            parsed.append(
                RowData(
                    line=line,
                    name=cell["姓名"][:50],
                    gender=GENDER_BY_LABEL.get(gender) or id_number_gender(id_number),
                    id_number=id_number,
                    phone=phone,
                    ethnicity=cell.get("民族") or "汉族",
                    education=cell.get("学历", "")[:20],
                    org=org,
                    status=status,
                    joined_on=dates["入党日期"],
                    full_member_on=dates["转正日期"],
                    dues_category=dues,
                    position=cell.get("党内职务", "")[:30],
                    work_unit=cell.get("工作单位", "")[:100],
                )
            )
    progress("checking", total, total)
    if not errors and not parsed:
        errors.append("文件中没有数据行")
    if not errors:
        errors = _already_members(parsed)
    if errors:
        if len(errors) >= MAX_ERRORS:
            errors.append(f"错误较多，仅显示前 {MAX_ERRORS} 条")
        raise RosterErrors(errors)
    return parsed


def _already_members(rows: list[RowData]) -> list[str]:
    errors = []
    hashes = {lookup_hash(r.id_number): r for r in rows}
    keys = list(hashes)
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        for h in PartyMember.objects.filter(person__id_number_hash__in=chunk).values_list(
            "person__id_number_hash", flat=True
        ):
            errors.append(f"第 {hashes[h].line} 行「身份证号」：该人员已在党员名册中")
    return sorted(errors, key=lambda e: int(e.split(" ")[1]))


def _person(r: RowData) -> Resident:
    person = Resident(
        name=r.name,
        gender=r.gender,
        ethnicity=r.ethnicity,
        education=r.education,
        birth_date=id_number_birth_date(r.id_number),
    )
    person.id_number = r.id_number  # encrypts, hashes and keeps the last 4 characters
    person.phone = r.phone
    return person


def roster_import(*, actor, file, orgs, today: date | None = None, progress: Progress = _no_progress) -> int:
    """Import a roster file (all-or-nothing); returns the number of members created.

    Residents already on the platform (same ID number) are linked rather than duplicated. The records are
    built (and their personal fields encrypted) before the transaction, so that it only inserts.
    """
    rows = parse_roster(file, orgs=orgs, today=today, progress=progress)
    people = []
    for i, r in enumerate(rows):
        people.append(_person(r))
        if i % PROGRESS_EVERY == 0:
            progress("preparing", i, len(rows))
    progress("preparing", len(rows), len(rows))
    hashes = [p.id_number_hash for p in people]
    with transaction.atomic():
        existing: dict[str, int] = {}
        for start in range(0, len(hashes), 1000):
            existing.update(
                Resident.objects.filter(id_number_hash__in=hashes[start : start + 1000]).values_list(
                    "id_number_hash", "pk"
                )
            )
        new_people = [p for p in people if p.id_number_hash not in existing]
        progress("saving", 0, len(new_people) + len(rows))
        fast_insert(Resident, new_people, batch_size=BATCH)
        # executemany does not return ids: read the new residents back by their ID-number hash.
        for start in range(0, len(new_people), 1000):
            chunk = [p.id_number_hash for p in new_people[start : start + 1000]]
            existing.update(
                Resident.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", "pk")
            )
        members = [
            PartyMember(
                person_id=existing[h],
                org=r.org,
                status=r.status,
                joined_on=r.joined_on,
                full_member_on=r.full_member_on,
                dues_category=r.dues_category,
                position=r.position,
                work_unit=r.work_unit,
                in_service=bool(r.work_unit),
            )
            for r, h in zip(rows, hashes, strict=True)
        ]
        progress("saving", len(new_people), len(new_people) + len(rows))
        fast_insert(PartyMember, members, batch_size=BATCH)
        audit.record(
            "party.roster.import",
            actor=actor,
            object_type="party.partymember",
            object_repr=f"导入党员 {len(members)} 人",
            summary={"rows": len(members)},
        )
    progress("saving", len(new_people) + len(rows), len(new_people) + len(rows))
    return len(members)


def export_workbook(members) -> bytes:
    """The filtered member list as xlsx (ID and phone masked, as on screen: PIPL 最小必要)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员名册")
    ws.append(
        [
            "姓名",
            "性别",
            "身份证号",
            "手机号",
            "民族",
            "学历",
            "所在党组织",
            "党员状态",
            "入党日期",
            "转正日期",
            "党费类别",
            "党内职务",
            "工作单位",
        ]
    )
    for m in members.iterator(chunk_size=2000):
        p = m.person
        ws.append(
            [
                p.name,
                p.get_gender_display(),
                p.id_number,
                p.phone,
                p.ethnicity,
                p.education,
                m.org.name,
                m.get_status_display(),
                m.joined_on,
                m.full_member_on,
                m.get_dues_category_display(),
                m.position,
                m.work_unit,
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
