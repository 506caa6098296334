"""微心愿 pages: board, posting, detail actions, my wishes, stories, leaderboard, review queue, tiles."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from redgrid.participation.models import Wish

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def text(response) -> str:
    return response.content.decode()


def test_the_h5_home_shows_the_wish_tiles(world, client):
    client.force_login(world.user("resident"))
    page = text(client.get("/h5/"))
    assert "/participation/wishes/" in page and "微心愿" in page


def test_a_resident_posts_a_wish_with_a_photo_through_the_form(world, client):
    client.force_login(world.user("resident"))
    assert "我要许愿" in text(client.get("/participation/wishes/new/"))
    r = client.post(
        "/participation/wishes/new/",
        {
            "title": "想要一副老花镜",
            "content": "看报纸不清楚",
            "value_estimate": "80",
            "category": "elderly",
            "photo": SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg"),
        },
    )
    wish = Wish.objects.get()
    assert r.status_code == 302 and r.url == f"/participation/wishes/{wish.pk}/"
    page = text(client.get(r.url))
    assert "想要一副老花镜" in page and "待审核" in page
    photo = client.get(f"/participation/wishes/{wish.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


def test_a_bad_form_shows_the_error_and_keeps_the_input(world, client):
    client.force_login(world.user("resident"))
    r = client.post(
        "/participation/wishes/new/", {"title": "电视", "content": "想要", "value_estimate": "999"}
    )
    assert r.status_code == 200 and "200 元" in text(r) and 'value="电视"' in text(r)
    r = client.post(
        "/participation/wishes/new/", {"title": "电视", "content": "想要", "value_estimate": "abc"}
    )
    assert "整数" in text(r)
    assert not Wish.objects.exists()


def test_the_photo_of_a_wish_is_404_outside_its_audience(world, client, wishes):
    from redgrid.participation import services

    wish = services.wish_post(
        actor=world.user("resident"), title="书", content="想要书", photo=SimpleUploadedFile("a.jpg", JPEG)
    )
    client.force_login(world.user("outsider_resident"))
    assert client.get(f"/participation/wishes/{wish.pk}/photo/").status_code == 404


def test_the_board_shows_open_wishes_and_a_shake_button_to_members(world, client, wishes):
    wishes.make("open", title="公开的心愿")
    wishes.make("pending", title="待审的心愿")
    client.force_login(world.user("member"))
    page = text(client.get("/participation/wishes/"))
    assert "公开的心愿" in page and "待审的心愿" not in page
    assert "摇一摇" in page and "participation/shake.js" in page
    assert "<script>" not in page  # no inline JS (CSP)
    client.force_login(world.user("resident"))
    assert "摇一摇" not in text(client.get("/participation/wishes/"))


def test_the_board_filters_by_status(world, client, wishes):
    wishes.make("open", title="甲")
    wishes.make("claimed", title="乙")
    client.force_login(world.user("member"))
    page = text(client.get("/participation/wishes/?status=claimed"))
    assert "乙" in page and ">甲<" not in page


def test_the_board_list_uses_a_fixed_number_of_queries(world, client, wishes, django_assert_num_queries):
    for i in range(5):
        wishes.make("open", title=f"心愿{i}")
    client.force_login(world.user("member"))
    client.get("/participation/wishes/")  # warm the rules/session caches
    # 1 session, 2 user, 3 "has grants?" (idle-timeout middleware), 4 role grants (scope),
    # 5 the household's grid (community board), 6 the member record (双报到 community, shake button),
    # 7 count for the pager, 8 the page of wishes with grid, poster and claimer joined.
    with django_assert_num_queries(8):
        r = client.get("/participation/wishes/")
    assert len(re.findall('class="card wish"', text(r))) == 5
    for i in range(5, 10):
        wishes.make("open", title=f"心愿{i}")
    with django_assert_num_queries(8):
        client.get("/participation/wishes/")


def test_the_staff_list_uses_a_fixed_number_of_queries(world, client, wishes, django_assert_num_queries):
    for i in range(5):
        wishes.make("pending", title=f"心愿{i}")
    client.force_login(world.user("community"))
    client.get("/participation/wishes/")
    # 1 session, 2 user, 3 "has grants?" (idle-timeout middleware), 4 role grants (scope),
    # 5 count for the pager, 6 the navigator's region roots (staff frame; no org/unit grants → no query),
    # 7 the page of wishes with grid, poster and claimer joined,
    # 8–10 savepoint, session update (idle-timeout stamp), release.
    with django_assert_num_queries(10):
        r = client.get("/participation/wishes/")
    assert "心愿4" in text(r)


def test_the_whole_workflow_through_the_pages(world, client, wishes):
    wish = wishes.make("pending")
    url = f"/participation/wishes/{wish.pk}/"
    client.force_login(world.user("community"))
    page = text(client.get("/participation/wishes/review/"))
    assert wish.title in page
    client.post(f"{url}approve/", {"next": "review"})
    client.force_login(world.user("member"))
    assert "我来认领" in text(client.get(url))
    client.post(f"{url}claim/")
    assert "提交实现情况" in text(client.get(url))
    client.post(f"{url}fulfil/", {"content": "已送到", "photos": [SimpleUploadedFile("p.jpg", JPEG)]})
    client.force_login(world.user("resident"))
    assert "确认已实现" in text(client.get(url))
    client.post(f"{url}confirm/", {"thanks": "谢谢您"})
    wish.refresh_from_db()
    assert wish.status == "confirmed" and wish.photos.count() == 1
    page = text(client.get("/participation/wishes/mine/"))
    assert wish.title in page and "已确认" in page


def test_an_illegal_page_action_shows_the_conflict_message(world, client, wishes):
    wish = wishes.make("claimed")
    client.force_login(wishes.member2)
    r = client.post(f"/participation/wishes/{wish.pk}/claim/", follow=True)
    assert "当前状态为「已认领」" in text(r)


def test_pages_are_404_outside_the_subtree(world, client, wishes):
    wish = wishes.make("pending")
    client.force_login(world.user("outsider_community"))
    assert client.get(f"/participation/wishes/{wish.pk}/").status_code == 404
    assert client.post(f"/participation/wishes/{wish.pk}/approve/").status_code == 404
    client.force_login(world.user("outsider_resident"))
    assert client.get(f"/participation/wishes/{wish.pk}/").status_code == 404
    assert wish.title not in text(client.get("/participation/wishes/"))


def test_the_review_queue_is_for_staff_only(world, client, wishes):
    wishes.make("pending", title="待审甲")
    client.force_login(world.user("outsider_community"))
    assert "待审甲" not in text(client.get("/participation/wishes/review/"))
    client.force_login(world.user("resident"))
    assert client.get("/participation/wishes/review/").status_code == 302


def test_the_public_story_masks_the_residents_name(world, client, wishes):
    from redgrid.regions.models import Resident

    Resident.objects.filter(pk=world.residents["A1-31"].pk).update(name="王小明")
    wish = wishes.make("confirmed")
    unconfirmed = wishes.make("fulfilled", title="还没确认的")
    client.logout()
    page = text(client.get(f"/participation/wishes/stories/{wish.pk}/"))
    assert "王**" in page and "王小明" not in page and "谢谢党员同志" in page
    assert client.get(f"/participation/wishes/stories/{unconfirmed.pk}/").status_code == 404
    listing = text(client.get("/participation/wishes/stories/"))
    assert wish.title in listing and "还没确认的" not in listing and "王小明" not in listing


def test_the_leaderboard_counts_fulfilled_wishes_not_claims(world, client, wishes):
    wishes.make("confirmed", title="一")
    wishes.make("fulfilled", title="二")
    wishes.make("claimed", title="三", claimer=wishes.member2)
    from redgrid.participation.selectors import leaderboard

    rows = leaderboard(world.user("community"))
    assert [(r["name"], r["fulfilled"]) for r in rows] == [("member", 2)]
    client.force_login(world.user("resident"))
    page = text(client.get("/participation/wishes/ranking/"))
    assert "member" in page and "member2" not in page
