"""Course videos: served only to learners through a view that answers byte ranges, resumed where left."""

import pytest
from django.core.files.base import ContentFile

from redgrid.learning.admin import CourseForm
from redgrid.learning.models import Course, StudyRecord

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def video(db):
    course = Course(slug="v1", title="视频课", kind=Course.Kind.VIDEO, category="党史", minutes=10)
    course.file.save("v1.mp4", ContentFile(MP4), save=False)
    course.save()
    return course


def test_a_member_gets_the_whole_video_and_the_server_says_it_accepts_ranges(world, video, login):
    response = login(world.user("member")).get(f"/learning/courses/{video.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4" and response["Accept-Ranges"] == "bytes"
    assert b"".join(response.streaming_content) == MP4


def test_a_range_request_answers_206_with_exactly_those_bytes(world, video, login):
    client = login(world.user("member"))
    response = client.get(f"/learning/courses/{video.pk}/file/", HTTP_RANGE="bytes=16-31")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 16-31/{len(MP4)}"
    assert b"".join(response.streaming_content) == MP4[16:32]
    tail = client.get(f"/learning/courses/{video.pk}/file/", HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == MP4[-10:]
    beyond = client.get(f"/learning/courses/{video.pk}/file/", HTTP_RANGE=f"bytes={len(MP4)}-")
    assert beyond.status_code == 416


def test_the_video_is_not_served_to_residents_who_are_not_members_or_anonymous_users(world, video, client):
    assert client.get(f"/learning/courses/{video.pk}/file/").status_code == 302
    client.force_login(world.user("resident"))
    assert client.get(f"/learning/courses/{video.pk}/file/").status_code == 404


def test_the_heartbeat_keeps_the_playback_position_and_the_page_resumes_there(world, video, login, api_token):
    member = world.user("member")
    headers = api_token(member)
    url = f"/api/v1/learning/courses/{video.pk}/heartbeat"
    body = '{"seconds": 0, "visible": true, "position": 754}'
    assert login(member).post(url, body, content_type="application/json", **headers).json()["position"] == 754
    assert StudyRecord.objects.get(user=member, course=video).position == 754
    html = login(member).get(f"/learning/courses/{video.pk}/").content.decode()
    assert 'data-position="754"' in html and "已为您续播" in html


def test_a_hostile_position_is_capped_at_a_day(world, video, api_token, client):
    headers = api_token(world.user("member"))
    url = f"/api/v1/learning/courses/{video.pk}/heartbeat"
    body = '{"seconds": 0, "visible": true, "position": 99999999999}'
    assert client.post(url, body, content_type="application/json", **headers).json()["position"] == 86400


def _form(kind, name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fields = {"slug": "x1", "title": "课", "kind": kind, "category": "党史", "minutes": 5,
              "audience": "[]", "required_for": "[]", "is_published": True}
    return CourseForm(data=fields, files={"file": SimpleUploadedFile(name, data)})


def test_the_admin_refuses_a_video_course_whose_file_is_not_a_video_by_its_bytes(db):
    form = _form("video", "lesson.mp4", b"<html>not a video</html>")
    assert not form.is_valid()
    assert "视频课程只接受MP4 或 WebM 视频" in form.errors["file"][0]


def test_the_admin_names_an_accepted_file_by_its_real_type(db):
    form = _form("document", "notes.mp4", b"%PDF-1.7\n" + b"0" * 40)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["file"].name == "notes.pdf"
