"""The audit trail: append-only, sealed into a hash chain, and verified."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.models import AuditBlock, AuditLog, AuditProtectedError

pytestmark = pytest.mark.django_db


def _rows(n):
    return [audit.record("test.write", object_type="t", object_id=str(i), summary={"i": i}) for i in range(n)]


def test_an_audit_row_cannot_be_edited():
    row = _rows(1)[0]
    row.action = "forged"
    with pytest.raises(AuditProtectedError):
        row.save()
    with pytest.raises(AuditProtectedError):
        AuditLog.objects.filter(pk=row.pk).update(action="forged")


def test_rows_younger_than_180_days_can_never_be_deleted():
    row = _rows(1)[0]
    with pytest.raises(AuditProtectedError):
        row.delete()
    with pytest.raises(AuditProtectedError):
        AuditLog.objects.all().delete()


def test_rows_older_than_180_days_may_be_deleted():
    old = AuditLog.objects.create(action="old", at=timezone.now() - timedelta(days=181))
    old.delete()
    assert not AuditLog.objects.filter(pk=old.pk).exists()


def test_sealing_chains_blocks_and_verification_passes():
    _rows(3)
    first = audit.seal(delay_seconds=0)
    _rows(2)
    second = audit.seal(delay_seconds=0)
    assert (first.row_count, second.row_count) == (3, 2)
    assert second.prev_hash == first.hash
    result = audit.verify()
    assert result.ok and result.blocks == 2 and result.rows == 5


def test_rows_newer_than_the_delay_wait_for_the_next_seal():
    _rows(2)
    assert audit.seal(delay_seconds=3600) is None


def _raw_update(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_names_the_first_edited_row():
    rows = _rows(4)
    audit.seal(delay_seconds=0)
    _raw_update("UPDATE core_auditlog SET actor_name = %s WHERE id = %s", ["forger", rows[2].pk])
    result = audit.verify()
    assert not result.ok and result.broken_row == rows[2].pk
    assert f"#{rows[2].pk}" in result.message


def test_verify_names_the_block_of_a_deleted_row():
    rows = _rows(4)
    block = audit.seal(delay_seconds=0)
    _raw_update("DELETE FROM core_auditlog WHERE id = %s", [rows[1].pk])
    result = audit.verify()
    assert not result.ok and result.broken_block == block.seq


def test_verify_detects_a_rewritten_row_whose_hash_was_recomputed():
    rows = _rows(3)
    audit.seal(delay_seconds=0)
    forged = AuditLog.objects.get(pk=rows[0].pk)
    forged.actor_name = "forger"
    _raw_update("UPDATE core_auditlog SET actor_name = %s, row_hash = %s WHERE id = %s",
                ["forger", forged.content_hash(), rows[0].pk])
    result = audit.verify()
    assert not result.ok and result.broken_block == 1


def test_the_audit_verify_command_fails_with_the_broken_row():
    rows = _rows(2)
    _raw_update("UPDATE core_auditlog SET action = %s WHERE id = %s", ["x", rows[0].pk])
    with pytest.raises(CommandError, match=f"#{rows[0].pk}"):
        call_command("audit_verify", "--seal")


def test_the_audit_verify_command_reports_an_intact_chain(capsys):
    _rows(2)
    call_command("audit_verify", "--seal")
    assert "审计链完整" in capsys.readouterr().out
    assert AuditBlock.objects.count() == 1


def test_the_periodic_task_seals_rows(settings):
    from redgrid.core.tasks import audit_seal_task

    settings.AUDIT_SEAL_DELAY_SECONDS = 0
    _rows(3)
    audit_seal_task.enqueue()
    assert AuditBlock.objects.get().row_count == 3


def test_audit_rows_are_read_only_in_the_admin(world, client):
    client.force_login(world.user("admin"))
    world.user("admin").is_superuser = True
    world.user("admin").is_staff = True
    world.user("admin").save()
    row = _rows(1)[0]
    assert client.get("/admin/core/auditlog/").status_code == 200
    page = client.get(f"/admin/core/auditlog/{row.pk}/change/").content.decode()
    assert 'name="action"' not in page
    assert client.post(f"/admin/core/auditlog/{row.pk}/delete/").status_code == 403
