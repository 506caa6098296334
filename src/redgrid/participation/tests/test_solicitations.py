"""征求意见: a draft open in a period, documents checked by content, private opinions until the summary is
published, answers, and the summary once after the period."""

import io
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from redgrid.core.api import Conflict
from redgrid.core.models import Notification, Rule
from redgrid.participation import solicitations as so
from redgrid.participation.models import Solicitation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # uploaded drafts go to a throw-away directory


def draft(world, *, opens=-1, closes=13, **extra):
    now = timezone.now()
    return so.solicitation_create(
        actor=world.user("community"),
        title="居民公约（征求意见稿）",
        body=extra.pop("body", "第一条 爱护公共设施。"),
        area=world.regions[extra.pop("area", "wenhua")],
        opens_at=now + timedelta(days=opens),
        closes_at=now + timedelta(days=closes),
        **extra,
    )


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("公约.pdf", b"%PDF-1.7\n...", "application/pdf"),
        (
            "公约.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("公约.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 20, "application/msword"),
        ("照片.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "image/png"),
    ],
)
def test_a_draft_document_type_comes_from_its_content(world, name, content, kind):
    s = draft(world, body="", document=SimpleUploadedFile(name, content, content_type="text/plain"))
    assert (s.document_type, s.document_name) == (kind, name)
    assert s.document.name.endswith("." + name.rsplit(".", 1)[1])


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("假文件.pdf", b"<html>not a pdf</html>"),
        ("压缩包.docx", b"PK\x03\x04" + b"broken zip"),
        ("脚本.docx", b"MZ\x90\x00 executable"),
    ],
)
def test_a_document_whose_content_is_not_a_document_is_refused(world, name, content):
    with pytest.raises(ValidationError, match="格式不支持"):
        draft(world, document=SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert not Solicitation.objects.exists()


def test_a_zip_that_is_not_an_office_document_is_refused(world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(ValidationError, match="格式不支持"):
        draft(world, document=SimpleUploadedFile("x.docx", buf.getvalue()))


def test_the_document_size_limit_is_a_rule(world):
    Rule.objects.create(key="solicitation.document_max_mb", value=1)
    big = SimpleUploadedFile("大.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="solicitation.document_max_mb"):
        draft(world, document=big)


def test_the_period_must_be_long_enough_and_the_area_in_scope(world):
    with pytest.raises(ValidationError, match="solicitation.min_days"):
        draft(world, opens=0, closes=3)
    with pytest.raises(ValidationError, match="请填写征求意见稿"):
        draft(world, body="")
    with pytest.raises(PermissionDenied):
        draft(world, area="songhe")
    with pytest.raises(PermissionDenied):
        so.solicitation_create(
            actor=world.user("resident"),
            title="t",
            body="b",
            area=world.regions["wenhua"],
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=10),
        )


def test_opinions_are_taken_only_while_the_draft_is_open(world):
    s = draft(world, opens=1)
    with pytest.raises(Conflict, match="未开始"):
        so.opinion_submit(actor=world.user("resident"), solicitation=s, body="建议")
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        so.opinion_submit(actor=world.user("resident"), solicitation=s, body="建议", clause="第一条")
    with time_machine.travel(timezone.now() + timedelta(days=14), tick=False):
        with pytest.raises(Conflict, match="已截止"):
            so.opinion_submit(actor=world.user("resident"), solicitation=s, body="晚了")


def test_outsiders_cannot_see_or_answer_a_draft(world):
    s = draft(world)
    for name in ("outsider_resident", "outsider_community", "outsider_street"):
        assert not so.solicitations_visible_to(world.user(name)).filter(pk=s.pk).exists()
    with pytest.raises(PermissionDenied):
        so.opinion_submit(actor=world.user("outsider_resident"), solicitation=s, body="路过")
    for name in ("resident", "member", "gridworker", "community", "street", "branch"):
        assert so.solicitations_visible_to(world.user(name)).filter(pk=s.pk).exists(), name


def test_opinions_are_private_until_the_summary_is_published(world, django_capture_on_commit_callbacks):
    s = draft(world)
    mine = so.opinion_submit(actor=world.user("resident"), solicitation=s, body="建议写明遛狗时间")
    theirs = so.opinion_submit(actor=world.user("member"), solicitation=s, body="禁止电动车进楼")
    assert list(so.opinions_visible_to(world.user("resident"), s)) == [mine]
    assert list(so.opinions_visible_to(world.user("community"), s)) == [mine, theirs]
    with django_capture_on_commit_callbacks(execute=True):
        so.opinion_respond(
            actor=world.user("community"), opinion=theirs, adoption="adopted", response="已采纳"
        )
    assert Notification.objects.get().recipient == world.user("member")
    with pytest.raises(Conflict, match="截止后"):
        so.solicitation_publish_summary(actor=world.user("community"), solicitation=s, summary="总结")
    with time_machine.travel(timezone.now() + timedelta(days=14), tick=False):
        with pytest.raises(PermissionDenied):
            so.solicitation_publish_summary(actor=world.user("gridworker"), solicitation=s, summary="总结")
        s = so.solicitation_publish_summary(
            actor=world.user("community"), solicitation=s, summary="采纳 1 条"
        )
        assert list(so.opinions_visible_to(world.user("resident"), s)) == [mine, theirs]
        with pytest.raises(Conflict, match="已反馈"):
            so.solicitation_publish_summary(actor=world.user("community"), solicitation=s, summary="再来")
        with pytest.raises(Conflict, match="不能再修改"):
            so.opinion_respond(
                actor=world.user("community"), opinion=mine, adoption="adopted", response="采纳"
            )


def test_each_person_has_a_limited_number_of_opinions(world):
    Rule.objects.create(key="solicitation.opinions_per_person", value=2)
    s = draft(world)
    for i in range(2):
        so.opinion_submit(actor=world.user("resident"), solicitation=s, body=f"意见{i}")
    with pytest.raises(ValidationError, match="solicitation.opinions_per_person"):
        so.opinion_submit(actor=world.user("resident"), solicitation=s, body="第三条")


def test_the_phase_filter_matches_the_computed_phase(world):
    upcoming, current = draft(world, opens=2), draft(world)
    user = world.user("community")
    assert list(so.solicitation_list(user, phase="upcoming")) == [upcoming]
    assert list(so.solicitation_list(user, phase="open")) == [current]
    assert not so.solicitation_list(user, phase="closed").exists()


def test_the_solicitation_lists_cost_the_same_queries_however_many_drafts_they_show(world, client):
    from redgrid.testing import page_queries

    draft(world)
    client.force_login(world.user("resident"))
    client.get("/participation/solicitations/")  # warm the session and rules caches
    resident_before = page_queries(client, "/participation/solicitations/")
    client.force_login(world.user("community"))
    client.get("/participation/manage/solicitations/")
    staff_before = page_queries(client, "/participation/manage/solicitations/")
    for i in range(4):
        draft(world, opens=-i - 1)
    assert page_queries(client, "/participation/manage/solicitations/") == staff_before
    client.force_login(world.user("resident"))
    assert page_queries(client, "/participation/solicitations/") == resident_before
