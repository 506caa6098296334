"""花名册导入任务: the upload is checked and stored (encrypted), the task worker imports it and reports its
progress on the job row, and the page polls that row.

A 10,000-row roster takes seconds and a 100,000-row one most of a minute: too long for one request behind a
proxy, and a user wants to see that something is happening. Progress written inside the import's single
transaction is not visible to the page until commit, so during the (short) saving phase the page shows the
phase's start and says that it is all or nothing.
"""

import io
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django_tasks import task

from redgrid.core import audit
from redgrid.core.crypto import decrypt_bytes, encrypt_bytes
from redgrid.party import roster
from redgrid.party.models import RosterImportJob
from redgrid.party.selectors import party_orgs_visible_to

log = logging.getLogger("redgrid.party")

MAX_BYTES = 20 * 1024 * 1024  # a 100,000-row roster from the template is about 7 MB
# .xlsx is a ZIP container; .xls (Excel 97–2003) an OLE2 compound file; calamine reads both.
MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
S = RosterImportJob.Status


def roster_job_start(*, actor, upload) -> RosterImportJob:
    """Check the upload (present, size, Excel by its first bytes) and queue the import."""
    if upload is None:
        raise ValidationError("请选择要导入的 Excel 文件")
    if upload.size > MAX_BYTES:
        raise ValidationError(
            f"文件过大（{upload.size / 1024 / 1024:.1f} MB），单个文件不能超过 20 MB，请分批导入"
        )
    content = upload.read()
    if not content.startswith(MAGIC):
        raise ValidationError("无法读取文件，请使用下载的模板（.xlsx 格式）")
    with transaction.atomic():
        job = RosterImportJob.objects.create(
            actor=actor,
            file_name=(upload.name or "花名册.xlsx")[:200],
            file_size=len(content),
            content_enc=encrypt_bytes(content),
        )
        audit.record(
            "party.roster.upload",
            job,
            actor=actor,
            summary={"file": job.file_name, "bytes": job.file_size},
        )
        transaction.on_commit(lambda: roster_import_task.enqueue(job.pk))
    return job


def _claim(job_id: int) -> RosterImportJob | None:
    """Queued → checking, once: a second worker (or a retried task) finds nothing to do."""
    if not RosterImportJob.objects.filter(pk=job_id, status=S.QUEUED).update(
        status=S.CHECKING, started_at=timezone.now()
    ):
        return None
    return RosterImportJob.objects.select_related("actor").get(pk=job_id)


def _report(job_id: int):
    def progress(phase: str, done: int, total: int) -> None:
        RosterImportJob.objects.filter(pk=job_id).update(status=phase, done=done, total=total)

    return progress


def run_roster_job(job_id: int) -> RosterImportJob | None:
    job = _claim(job_id)
    if job is None:
        return None
    outcome = {"created": None, "errors": []}
    try:
        outcome["created"] = roster.roster_import(
            actor=job.actor,
            file=io.BytesIO(decrypt_bytes(job.content_enc)),
            orgs=party_orgs_visible_to(job.actor),
            progress=_report(job.pk),
        )
    except ValidationError as exc:
        outcome["errors"] = exc.messages
    except IntegrityError:
        # Someone put one of these people on the roster after the check: nothing was saved.
        outcome["errors"] = ["导入期间名册发生了变化（有人员已被他人录入），未导入任何数据，请重新上传"]
    except Exception:
        log.exception("roster import job %s failed", job.pk)
        outcome["errors"] = ["导入时发生意外错误，未导入任何数据；请稍后重试，或联系系统管理员"]
    status = S.DONE if outcome["created"] is not None else S.FAILED
    counts = {"done": outcome["created"], "total": outcome["created"]} if status == S.DONE else {}
    RosterImportJob.objects.filter(pk=job.pk).update(
        status=status,
        **counts,
        created=outcome["created"],
        errors=outcome["errors"],
        content_enc=b"",  # the ID numbers in the file are not kept once read
        finished_at=timezone.now(),
    )
    if status == S.FAILED:
        audit.record(
            "party.roster.import_failed",
            job,
            actor=job.actor,
            summary={"file": job.file_name, "problems": len(outcome["errors"])},
        )
    job.refresh_from_db()
    return job


@task()
def roster_import_task(job_id: int) -> int:
    job = run_roster_job(job_id)
    return (job.created or 0) if job else 0


def roster_job_for(user, pk) -> RosterImportJob:
    """Only the person who uploaded a roster sees its job (the file and its problems name people)."""
    try:
        return RosterImportJob.objects.get(pk=pk, actor=user)
    except (RosterImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404("没有这个导入任务") from None


def recent_jobs(user, limit: int = 10):
    return RosterImportJob.objects.filter(actor=user).defer("content_enc")[:limit]
