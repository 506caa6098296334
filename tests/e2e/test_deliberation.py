"""议事厅 in the browser: a resident on a phone comments, replies, and votes for their household."""

import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def login(page, base, username):
    from redgrid.testing import PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/h5/")


@pytest.mark.django_db(transaction=True)
def test_a_resident_comments_and_votes_on_a_phone(world, live_server, phone_page):
    from redgrid.participation import deliberation as d
    from redgrid.participation.models import TopicComment, Vote
    from redgrid.participation.tests.deliberation_helpers import make_topic

    topic = make_topic(world, "voting", title="小区停车位重新划线方案")
    earlier = d.comment_post(actor=world.user("member"), topic=topic, body="建议给老人留出就近车位")
    page = phone_page
    page.on("dialog", lambda dialog: dialog.accept())  # the vote asks for confirmation
    login(page, live_server.url, "resident")

    page.get_by_role("link", name="议事厅").click()
    page.wait_for_url(f"{live_server.url}/participation/topics/")
    page.get_by_role("link", name="小区停车位重新划线方案").click()
    assert page.locator(".phase-strip li.current").inner_text().startswith("表决")

    # A comment, then a reply to the neighbour's comment in its thread.
    page.get_by_label("评论内容").fill("支持，希望尽快实施")
    page.get_by_role("button", name="发表评论").click()
    page.wait_for_selector("text=评论已发表")
    thread = page.locator(f"#c{earlier.pk}")
    thread.get_by_text("回复", exact=True).click()
    thread.get_by_label("回复内容").fill("同意，老人优先")
    thread.get_by_role("button", name="发表回复").click()
    page.wait_for_selector("text=评论已发表")
    reply = TopicComment.objects.get(parent=earlier)
    assert (reply.author, reply.depth) == (world.user("resident"), 1)
    assert page.locator(f"#c{reply.pk}.d1").inner_text().count("同意，老人优先") == 1

    # The vote: one choice, confirmed, once for the household.
    page.get_by_label("赞成").check()
    page.get_by_role("button", name="提交表决").click()
    page.wait_for_selector("text=投票成功")
    vote = Vote.objects.get(topic=topic)
    assert (vote.voter, vote.choice, vote.household) == (
        world.user("resident"), "赞成", world.residents["A1-31"].household
    )
    assert "本户已投票" in page.locator("#vote").inner_text()
    assert page.get_by_role("button", name="提交表决").count() == 0
    # the page fits a phone: no horizontal scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.django_db(transaction=True)
def test_a_third_report_hides_a_comment_on_the_spot(world, live_server, phone_page):
    from redgrid.participation import deliberation as d
    from redgrid.participation.tests.deliberation_helpers import make_topic, resident

    topic = make_topic(world, "discussing")
    rude = d.comment_post(actor=world.user("member"), topic=topic, body="都是骗子")
    for key in ("A1-00", "A1-20"):
        d.comment_report(actor=resident(world, key), comment=rude)
    page = phone_page
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server.url, "resident")
    page.goto(f"{live_server.url}/participation/topics/{topic.pk}/")
    comment = page.locator(f"#c{rude.pk}")
    comment.get_by_text("举报", exact=True).click()
    comment.get_by_label("举报原因").fill("人身攻击")
    comment.get_by_role("button", name="提交举报").click()
    page.wait_for_selector("text=已举报")
    assert "该评论被多人举报，已暂时隐藏，等待审核" in page.locator(f"#c{rude.pk}").inner_text()
    assert "都是骗子" not in page.locator("#comments").inner_text()
