"""Pages of 议事厅, 征求意见, 公开公示, 网上评议 and 信息发布: what residents and staff see and do."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from redgrid.participation import articles as ar
from redgrid.participation import deliberation as d
from redgrid.participation import notices as no
from redgrid.participation import solicitations as so
from redgrid.participation.models import ArticleReceipt, Evaluation, NoticeObjection, Topic, Vote
from redgrid.participation.tests.deliberation_helpers import make_topic

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_h5_home_shows_the_new_tiles(world, login):
    page = html(login(world.user("resident")).get("/h5/"))
    for label in ("议事厅", "征求意见", "公开公示", "网上评议", "信息发布"):
        assert label in page


def test_the_topic_list_filters_searches_and_says_when_empty(world, login):
    client = login(world.user("resident"))
    assert "暂时没有议题" in html(client.get("/participation/topics/"))
    make_topic(world, "voting", title="停车位重新划线")
    make_topic(world, "discussing", title="楼道堆物清理")
    page = html(client.get("/participation/topics/?phase=voting"))
    assert "停车位重新划线" in page and "楼道堆物清理" not in page
    page = html(client.get("/participation/topics/?q=堆物"))
    assert "楼道堆物清理" in page and "停车位" not in page
    assert "没有符合条件的议题" in html(client.get("/participation/topics/?q=不存在"))


def test_the_topic_list_takes_a_fixed_number_of_queries(world, login, django_assert_max_num_queries):
    client = login(world.user("resident"))
    for i in range(5):
        make_topic(world, "voting", title=f"议题{i}")
    client.get("/participation/topics/")  # warm the session
    # session, user, grant check (middleware), grants (scope), member record, home grid, count,
    # the page of topics with their areas, my proposals — whatever the number of topics
    with django_assert_max_num_queries(9):
        page = html(client.get("/participation/topics/"))
    assert page.count('class="card"') >= 5


def test_a_resident_comments_replies_reports_and_votes_through_the_pages(world, login):
    topic = make_topic(world, "voting")
    client = login(world.user("resident"))
    page = html(client.get(f"/participation/topics/{topic.pk}/"))
    assert "提交表决" in page and "发表评论" in page
    client.post(f"/participation/topics/{topic.pk}/comment/", {"body": "支持重新划线"})
    root = topic.comments.get()
    member = login(world.user("member"))
    member.post(f"/participation/topics/{topic.pk}/comment/", {"body": "同意", "parent": root.pk})
    member.post(f"/participation/topics/comments/{root.pk}/report/", {"reason": "测试"})
    root.refresh_from_db()
    assert root.report_count == 1 and topic.comments.get(parent=root).body == "同意"
    client = login(world.user("resident"))
    client.post(f"/participation/topics/{topic.pk}/vote/", {"choice": "赞成"})
    assert Vote.objects.get(topic=topic).choice == "赞成"
    page = html(client.get(f"/participation/topics/{topic.pk}/"))
    assert "本户已投票" in page and "赞成" in page and "表决结束后公布各选项票数" in page


def test_a_refused_action_shows_its_reason_instead_of_an_error_page(world, login):
    topic = make_topic(world, "closed")
    client = login(world.user("resident"))
    response = client.post(f"/participation/topics/{topic.pk}/comment/", {"body": "晚了"}, follow=True)
    assert "不能发表评论" in html(response)


def test_topic_pages_are_404_outside_the_area(world, login):
    topic = make_topic(world)
    comment = d.comment_post(actor=world.user("resident"), topic=topic, body="观点")
    for name in ("outsider_resident", "outsider_community"):
        client = login(world.user(name))
        assert client.get(f"/participation/topics/{topic.pk}/").status_code == 404
        assert client.post(f"/participation/topics/comments/{comment.pk}/report/").status_code == 404
        assert client.post(f"/participation/topics/{topic.pk}/vote/", {"choice": "赞成"}).status_code == 404


def test_a_resident_proposes_a_topic_on_a_phone(world, login):
    client = login(world.user("resident"))
    response = client.post("/participation/topics/propose/", {"title": "增设快递柜", "body": "丢件多"}, follow=True)
    assert "待受理" in html(response)
    assert Topic.objects.get().status == "proposed"


def test_staff_create_manage_and_moderate_topics(world, login):
    client = login(world.user("community"))
    assert "发起议题" in html(client.get("/participation/manage/topics/"))
    page = html(client.get("/participation/manage/topics/new/"))
    assert "文化路社区" in page and "松鹤园社区" not in page
    now = timezone.localtime()
    form = {
        "title": "加装电梯", "body": "征集意向", "area": world.regions["wenhua"].pk, "vote_unit": "household",
        "options": "赞成\n反对", "quorum_percent": "50", "pass_percent": "50",
        "collect_from": now.strftime("%Y-%m-%dT%H:%M"),
        "discuss_from": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "vote_from": (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "vote_until": (now + timedelta(days=21)).strftime("%Y-%m-%dT%H:%M"),
        "publicity_until": (now + timedelta(days=28)).strftime("%Y-%m-%dT%H:%M"),
    }
    response = client.post("/participation/manage/topics/new/", form, follow=True)
    topic = Topic.objects.get()
    assert topic.options == ["赞成", "反对"] and "提前进入讨论" in html(response)
    client.post(f"/participation/manage/topics/{topic.pk}/open_discussion/")
    client.post(f"/participation/manage/topics/{topic.pk}/invite/",
                {"kind": "property", "name": "文化路物业", "username": "unit"})
    topic.refresh_from_db()
    assert topic.phase == "discussing" and topic.stakeholders.get().user == world.user("unit")
    assert "没有待审核的评论" in html(client.get("/participation/manage/moderation/"))


def test_the_moderation_queue_restores_and_removes(world, login):
    from redgrid.participation.tests.deliberation_helpers import resident

    topic = make_topic(world)
    comment = d.comment_post(actor=world.user("resident"), topic=topic, body="难听的话")
    for key in ("A1-00", "A1-20", "A2-00"):
        d.comment_report(actor=resident(world, key), comment=comment)
    client = login(world.user("community"))
    assert "难听的话" in html(client.get("/participation/manage/moderation/"))
    client.post(f"/participation/topics/comments/{comment.pk}/remove/", {"next": "queue", "note": "辱骂"})
    comment.refresh_from_db()
    assert comment.status == "removed"
    assert "该评论已被管理员删除" in html(login(world.user("member")).get(f"/participation/topics/{topic.pk}/"))


def test_a_solicitation_with_a_document_is_downloaded_only_by_those_who_see_it(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    now = timezone.now()
    s = so.solicitation_create(
        actor=world.user("community"), title="居民公约", body="", area=world.regions["wenhua"],
        opens_at=now, closes_at=now + timedelta(days=10),
        document=SimpleUploadedFile("居民公约.pdf", b"%PDF-1.4 test"),
    )
    client = login(world.user("resident"))
    page = html(client.get(f"/participation/solicitations/{s.pk}/"))
    assert "下载征求意见稿" in page and "提交意见" in page
    response = client.get(f"/participation/solicitations/{s.pk}/document/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert login(world.user("outsider_resident")).get(f"/participation/solicitations/{s.pk}/document/").status_code == 404
    client = login(world.user("resident"))
    client.post(f"/participation/solicitations/{s.pk}/opinion/", {"body": "建议增加一条", "clause": "第五条"})
    assert s.opinions.get().clause == "第五条"


def test_a_resident_objects_to_a_publicity_through_the_form(world, login):
    now = timezone.now()
    p = no.notice_publish(
        actor=world.user("community"), kind="publicity", title="低保对象公示", body="拟新增低保对象 2 户",
        region_ids=[world.regions["wenhua"].pk], starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=9),
    )
    client = login(world.user("resident"))
    assert "公示中" in html(client.get("/participation/notices/?open=1"))
    page = html(client.get(f"/participation/notices/{p.pk}/"))
    assert "提出异议" in page
    client.post(f"/participation/notices/{p.pk}/object/", {"body": "其中一户家庭收入超标"})
    assert NoticeObjection.objects.get().author == world.user("resident")
    staff = login(world.user("community"))
    assert "其中一户家庭收入超标" in html(staff.get(f"/participation/manage/notices/{p.pk}/"))


def test_the_catalogue_page_shows_every_category_and_the_gaps(world, login):
    no.notice_publish(actor=world.user("branch"), kind="party_affairs", title="党费收缴情况", body="足额",
                      org=world.orgs["A1"], category="dues")
    page = html(login(world.user("member")).get(f"/participation/notices/catalogue/{world.orgs['A1'].pk}/"))
    assert "党费收缴情况" in page and "本年度有 8 类尚无公开内容" in page
    assert login(world.user("outsider_resident")).get(
        f"/participation/notices/catalogue/{world.orgs['A1'].pk}/"
    ).status_code == 404


def test_a_resident_rates_a_branch_once_on_the_rating_page(world, login):
    client = login(world.user("resident"))
    page = html(client.get("/participation/evaluations/?type=branch"))
    assert "A1网格党支部" in page and "C1网格党支部" not in page
    client.post("/participation/evaluations/submit/", {"type": "branch", "target": world.orgs["A1"].pk, "score": "4"})
    response = client.post("/participation/evaluations/submit/",
                           {"type": "branch", "target": world.orgs["A1"].pk, "score": "5"}, follow=True)
    assert "每个评议周期只能评议一次" in html(response)
    assert Evaluation.objects.get().score == 4
    assert client.post("/participation/evaluations/submit/",
                       {"type": "branch", "target": world.orgs["C1"].pk, "score": "1"}).status_code == 404
    staff = html(login(world.user("branch")).get("/participation/manage/evaluations/?type=branch"))
    assert "A1网格党支部" in staff and "100.0%" in staff


def test_opening_an_article_is_its_read_receipt_and_staff_see_coverage(world, login, django_capture_on_commit_callbacks):
    article = ar.article_create(actor=world.user("community"), title="服务站启用", body="欢迎",
                                region_ids=[world.regions["wenhua"].pk], roles=["resident"])
    with django_capture_on_commit_callbacks(execute=True):
        ar.article_publish(actor=world.user("community"), article=article)
    client = login(world.user("resident"))
    assert "未读" in html(client.get("/participation/articles/"))
    assert "服务站启用" in html(client.get(f"/participation/articles/{article.pk}/"))
    assert ArticleReceipt.objects.get(user=world.user("resident")).read_at is not None
    assert "没有未读信息" in html(client.get("/participation/articles/?unread=1"))
    page = html(login(world.user("community")).get(f"/participation/manage/articles/{article.pk}/"))
    assert "阅读覆盖率" in page and "50.0%" in page
    assert login(world.user("outsider_resident")).get(f"/participation/articles/{article.pk}/").status_code == 404


def test_staff_write_a_draft_and_publish_it_from_the_pages(world, login, django_capture_on_commit_callbacks):
    client = login(world.user("community"))
    response = client.post("/participation/manage/articles/new/", {
        "title": "夏季防汛提示", "summary": "注意安全", "body": "雨季请勿在低洼处停车", "category": "notice",
        "regions": [world.regions["A1"].pk], "roles": ["resident", "gridworker"],
    }, follow=True)
    assert "发布并推送" in html(response)
    article = ar.articles_visible_to(world.user("community")).get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/participation/manage/articles/{article.pk}/publish/")
    article.refresh_from_db()
    assert (article.status, article.audience_size) == ("published", 3)  # resident, member, grid worker of A1
    assert "夏季防汛提示" in html(client.get("/participation/manage/articles/?status=published"))


def test_every_page_renders_for_residents_and_staff_with_the_demo_content(world, client):
    """A smoke test over the demo content: every list and detail page answers 200 to those who may see it."""
    from redgrid.demo import DemoContext
    from redgrid.participation import deliberation_demo
    from redgrid.participation.models import Article, Notice, Solicitation

    deliberation_demo.build(DemoContext(scale="street", log=lambda s: None))
    topic = Topic.objects.filter(results__isnull=False).first()
    s, n, a = Solicitation.objects.first(), Notice.objects.first(), Article.objects.first()
    org = world.orgs["A1"].pk
    h5 = ["/participation/topics/", f"/participation/topics/{topic.pk}/", "/participation/topics/propose/",
          "/participation/solicitations/", f"/participation/solicitations/{s.pk}/", "/participation/notices/",
          f"/participation/notices/{n.pk}/", "/participation/notices/catalogue/",
          f"/participation/notices/catalogue/{org}/", "/participation/evaluations/?type=member",
          "/participation/evaluations/?type=unit", "/participation/articles/", f"/participation/articles/{a.pk}/"]
    staff = ["/participation/manage/topics/", "/participation/manage/topics/new/",
             f"/participation/manage/topics/{topic.pk}/", "/participation/manage/moderation/",
             "/participation/manage/solicitations/", "/participation/manage/solicitations/new/",
             f"/participation/manage/solicitations/{s.pk}/", "/participation/manage/notices/",
             "/participation/manage/notices/new/", f"/participation/manage/notices/{n.pk}/",
             "/participation/manage/evaluations/?type=member", f"/participation/manage/evaluations/branch/{org}/",
             "/participation/manage/articles/", "/participation/manage/articles/new/",
             f"/participation/manage/articles/{a.pk}/", f"/participation/notices/catalogue/{org}/"]
    client.force_login(world.user("resident"))
    for url in h5:
        assert client.get(url).status_code == 200, url
    client.force_login(world.user("community"))
    for url in staff:
        assert client.get(url).status_code == 200, url
    client.force_login(world.user("resident"))
    assert client.get("/participation/manage/topics/").status_code == 302  # staff pages send residents home
