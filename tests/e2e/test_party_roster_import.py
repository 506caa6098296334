"""A branch secretary imports a 10,000-row roster in the browser: the upload shows its progress, the job page
waits for the task worker, the worker imports it, and the page follows to 100 % and the members created; a
file with a wrong row is refused with the row and column, and nothing is saved."""

import io
import os
import threading
from datetime import date

import pytest
from openpyxl import Workbook

from tests.e2e.test_party_dual_report import login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
ROWS = 10_000


def roster_file(path, rows, *, seed, bad_line=None):
    from redgrid.core.names import PersonGenerator
    from redgrid.party.roster import COLUMNS

    gen = PersonGenerator(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员花名册")
    ws.append([h for h, _ in COLUMNS])
    for i in range(rows):
        p = gen.person(min_age=20, max_age=85, today=date(2026, 7, 1))
        id_number = "12345" if i + 2 == bad_line else p.id_number
        ws.append(
            [
                p.name,
                "",
                id_number,
                p.phone,
                p.ethnicity,
                p.education,
                "A1网格党支部",
                "正式党员" if i % 10 else "预备党员",
                "2015-07-01",
                "",
                "在职",
                "",
                "",
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def run_worker_once():
    """The task worker of `make demo`, run in a thread until the queue is empty (no signal handlers here)."""
    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker

    try:
        Worker(
            queue_names=["default"],
            interval=0.1,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="e2e-worker",
            excluded_queue_names=[],
        ).run()
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_ten_thousand_row_roster_is_imported_by_the_worker_while_the_page_shows_progress(
    world, live_server, page, settings, tmp_path
):
    from redgrid.party.models import PartyMember, RosterImportJob

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    page.set_default_timeout(120_000)
    before = PartyMember.objects.count()
    base = live_server.url
    login(page, base, "branch", "/workbench/")
    page.goto(f"{base}/party/members/import/")
    assert "还没有导入记录" in page.locator("main").inner_text()

    page.set_input_files("#roster-file", str(roster_file(tmp_path / "花名册.xlsx", ROWS, seed="e2e-roster")))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url(f"{base}/party/members/import/*/")
    # No worker has run yet: the job waits in the queue and the page says so.
    assert "等待后台任务进程处理" in page.locator("#job-label").inner_text()
    assert page.locator("#job-progress").get_attribute("value") == "0"
    seen = page.evaluate_handle(
        "() => { const seen = new Set(); new MutationObserver(() => seen.add("
        "document.getElementById('job-label').textContent)).observe(document.getElementById('job-label'),"
        " {childList: true, characterData: true, subtree: true}); return seen; }"
    )

    worker = threading.Thread(target=run_worker_once)
    worker.start()
    page.wait_for_selector("#job-done:not([hidden])")
    worker.join(timeout=120)
    assert f"新增党员 {ROWS} 人" in page.locator("#job-done").inner_text()
    assert page.locator("#job-progress").evaluate("el => el.value") == 100
    labels = page.evaluate("(seen) => Array.from(seen)", seen)
    assert labels[-1] == "导入成功"
    # Between the queue and the end the page showed the phases with row counts (10,000 rows take seconds).
    assert any(label.startswith(("读取并校验：", "整理数据：")) and "10,000" in label for label in labels)
    assert PartyMember.objects.count() == before + ROWS
    assert RosterImportJob.objects.get().status == "done"

    # A second file with one bad ID number: the page lists the row and column, and nothing is saved.
    page.goto(f"{base}/party/members/import/")
    assert f"新增党员 {ROWS} 人" in page.locator("table").inner_text()
    page.set_input_files(
        "#roster-file", str(roster_file(tmp_path / "有错误.xlsx", 50, seed="e2e-roster-2", bad_line=7))
    )
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url(f"{base}/party/members/import/*/")
    worker = threading.Thread(target=run_worker_once)
    worker.start()
    page.wait_for_selector("#job-failed:not([hidden])")
    worker.join(timeout=60)
    assert "第 7 行「身份证号」" in page.locator("#import-errors").inner_text()
    assert PartyMember.objects.count() == before + ROWS
