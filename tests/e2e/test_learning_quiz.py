"""党员教育 in the browser: a member on a phone takes the daily quiz; the course page sends heartbeats."""

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


@pytest.fixture
def learning_world(world):
    from redgrid.learning.loader import load_content

    load_content()
    return world


@pytest.mark.django_db(transaction=True)
def test_a_member_takes_the_daily_quiz_on_a_phone(learning_world, live_server, phone_page):
    from redgrid.learning.models import PointEntry, Question, QuizAttempt

    page = phone_page
    login(page, live_server.url, "member")
    page.get_by_role("link", name="学习教育").click()
    page.wait_for_url(f"{live_server.url}/learning/")
    page.get_by_role("link", name="每日答题").click()
    page.get_by_role("button", name="开始答题").click()
    page.wait_for_selector("fieldset.question")
    attempt = QuizAttempt.objects.get()
    bank = Question.objects.in_bulk(attempt.question_ids)
    assert page.locator("fieldset.question").count() == len(attempt.question_ids) == 5
    for qid in attempt.question_ids:
        q = bank[qid]
        if q.kind == "fill":
            page.fill(f"input[name='{q.code}']", q.answer)
        else:
            for letter in q.answer:
                page.check(f"input[name='{q.code}'][value='{letter}']")
    # the page fits a phone: no horizontal scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="交卷").click()
    page.wait_for_selector("p.result")
    assert "得分 100" in page.locator("p.result").inner_text()
    assert page.locator("text=解析：").count() == 5
    page.get_by_role("link", name="查看积分").click()
    assert PointEntry.objects.filter(activity="quiz_daily").values_list("points", flat=True).get() == 5
    assert "今日 6 分" in page.locator("main").inner_text()  # 1 login point + 5 quiz points


@pytest.mark.django_db(transaction=True)
def test_the_course_page_counts_only_visible_time(learning_world, live_server, phone_page):
    from redgrid.learning.models import Course, StudyRecord

    page = phone_page
    login(page, live_server.url, "member")
    course = Course.objects.order_by("id").first()
    with page.expect_response(lambda r: "/heartbeat" in r.url) as first:
        page.goto(f"{live_server.url}/learning/courses/{course.pk}/")
    assert first.value.status == 200
    assert StudyRecord.objects.get().last_beat_at is not None  # the clock runs while visible
    # the page goes to the background: the script sends visible=false and the server clock stops
    with page.expect_response(lambda r: "/heartbeat" in r.url) as hidden:
        page.evaluate("""() => {
            Object.defineProperty(document, "visibilityState", {value: "hidden", configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }""")
    assert hidden.value.request.post_data_json["visible"] is False
    assert StudyRecord.objects.get().last_beat_at is None
