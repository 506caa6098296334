"""每月一题 (clusters of similar appeals) and 未诉先办 (a surge raises one proactive task for the community)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from redgrid.appeals.models import Appeal
from redgrid.assessment import dash_rollup, hotspots, proactive
from redgrid.assessment.models import HotTopic, ProactiveTask
from redgrid.core.models import Notification

TZ = timezone.get_default_timezone()
NOW = datetime(2026, 7, 15, 10, 0, tzinfo=TZ)  # a Wednesday
LIGHTS = [
    "小区路灯不亮，晚上很黑",
    "路灯坏了好几天没人修，晚上出行不安全",
    "楼下路灯不亮了请维修",
    "我们这条街的路灯晚上不亮",
    "健身广场旁边的路灯全部熄灭",
    "菜市场后面小路的路灯好几天没亮",
]
GARBAGE = [
    "垃圾桶满了没人清运，臭味很大",
    "小区垃圾好几天没有清运",
    "垃圾清运不及时苍蝇很多",
    "垃圾站垃圾堆积没人清运",
]
OTHER = [
    "楼上装修噪音太大影响休息",
    "孩子上学学位不够",
    "医保报销比例太低",
    "小区门口占道经营",
    "楼道里堆满杂物有消防隐患",
    "电梯经常坏希望维修",
    "燃气费收费不合理",
    "公交站台离小区太远",
]


@pytest.fixture(autouse=True)
def _fresh_caches():
    dash_rollup.clear_caches()


def make(world, grid, text, when):
    street = world.regions["dongguan" if grid == "C1" else "guangwen"]
    with time_machine.travel(when, tick=False):
        return Appeal.objects.create(content=text, grid=world.regions[grid], street=street)


def steady_history(world, grid, weeks=10, per_week=3):
    """`per_week` appeals a week on everyday topics (never street lights) for `weeks` weeks before NOW."""
    n = 0
    for week in range(1, weeks + 1):
        for i in range(per_week):
            make(world, grid, OTHER[n % len(OTHER)], NOW - timedelta(days=7 * week - i, hours=3))
            n += 1


def test_clustering_groups_obviously_similar_texts():
    texts = LIGHTS[:4] + GARBAGE + ["孩子上学学位不够", "医保报销比例太低"]
    docs = [hotspots.features_of(t) for t in texts]
    clusters = hotspots.cluster_texts(docs, distance=0.92, min_size=3)
    groups = sorted(sorted(c.members) for c in clusters)
    assert groups == [[0, 1, 2, 3], [4, 5, 6, 7]]
    lights = next(c for c in clusters if 0 in c.members)
    assert "路灯" in lights.keywords[:3]


def test_the_monthly_hot_issues_list_the_recurring_problem_with_examples(world, client, login):
    for i, text in enumerate(LIGHTS + GARBAGE[:1] + OTHER[:3]):
        make(world, "A1" if i % 2 else "A2", text, NOW - timedelta(days=i % 10))
    with time_machine.travel(NOW, tick=False):
        topics = hotspots.compute_month(world.regions["wenhua"], NOW.date())
        login(world.user("community"))
        page = client.get("/assessment/hot/", {"month": "2026-07"})
    assert len(topics) == 1 and "路灯" in topics[0].keywords
    # The four plainly worded ones at least; never an appeal about something else.
    members = set(topics[0].appeal_ids)
    assert members >= set(Appeal.objects.filter(content__in=LIGHTS[:4]).values_list("pk", flat=True))
    assert members <= set(Appeal.objects.filter(content__in=LIGHTS).values_list("pk", flat=True))
    html = page.content.decode()
    assert "第 1 题" in html and f"/appeals/staff/{topics[0].example_ids[0]}/" in html
    assert HotTopic.objects.filter(area=world.regions["wenhua"], month=NOW.date().replace(day=1)).count() == 1


def test_an_outsider_cannot_read_another_areas_hot_issues(world, client, login):
    login(world.user("outsider_community"))
    response = client.get("/api/v1/assessment/hot-topics", {"area": world.regions["wenhua"].pk})
    assert response.status_code == 404


@pytest.fixture
def surge(world):
    """文化路社区: ten weeks of steady everyday appeals, then six street-light complaints in the last 7
    days; 松鹤园社区: the same steady history without a surge."""
    steady_history(world, "A1")
    steady_history(world, "B1")
    for i, text in enumerate(LIGHTS):
        make(world, "A1" if i % 2 else "A2", text, NOW - timedelta(days=i % 5, hours=1))
    make(world, "B1", OTHER[0], NOW - timedelta(days=1))
    return world


def test_a_surge_raises_one_proactive_task_for_its_community_only(surge):
    stats = hotspots.run_warnings(NOW)
    tasks = list(ProactiveTask.objects.all())
    assert stats["raised"] == 1 and len(tasks) == 1
    task = tasks[0]
    assert task.community == surge.regions["wenhua"]
    assert "路灯" in task.terms
    assert set(task.appeal_ids) == set(Appeal.objects.filter(content__in=LIGHTS).values_list("pk", flat=True))
    assert task.evidence["count"] == 6 and task.evidence["baseline"] == [0] * 8
    assert task.week == NOW.date() - timedelta(days=NOW.weekday())


def test_the_warning_fires_only_once_a_week_however_often_it_runs(surge):
    hotspots.run_warnings(NOW)
    hotspots.run_warnings(NOW + timedelta(hours=1))
    hotspots.run_warnings(NOW + timedelta(days=1))  # Thursday, same ISO week, same surge
    assert ProactiveTask.objects.count() == 1


def test_steady_volume_raises_nothing(world):
    steady_history(world, "A1", weeks=11)
    make(world, "A1", OTHER[1], NOW - timedelta(days=1))
    make(world, "A1", OTHER[2], NOW - timedelta(days=2))
    make(world, "A1", OTHER[3], NOW - timedelta(days=3))
    assert hotspots.run_warnings(NOW)["raised"] == 0
    assert not ProactiveTask.objects.exists()


def test_a_community_without_history_is_not_warned(world):
    for i, text in enumerate(LIGHTS):
        make(world, "A1", text, NOW - timedelta(days=i % 5))
    assert hotspots.run_warnings(NOW)["communities"] == 0
    assert not ProactiveTask.objects.exists()


def test_the_detector_needs_growth_beyond_its_own_baseline():
    params = hotspots.Params()
    # 20 appeals a week about other things, every week including this one (a steady total volume).
    other = [
        (1000 + 100 * w + i, NOW - timedelta(days=7 * w + 2), ("噪音",)) for w in range(9) for i in range(20)
    ]
    old = [(i * 10 + w, NOW - timedelta(days=7 * w + 1), ("路灯",)) for w in range(1, 9) for i in range(5)]
    busy = [(500 + i, NOW - timedelta(days=1), ("路灯",)) for i in range(8)]
    # Five a week before, eight now: within the baseline's Poisson spread.
    assert hotspots.detect(other + old + busy, NOW, params) == []
    quiet = [(600 + w, NOW - timedelta(days=7 * w + 1), ("路灯",)) for w in range(1, 9)]
    fired = hotspots.detect(other + quiet + busy, NOW, params)
    assert [b.key for b in fired] == ["路灯"] and fired[0].count == 8 and fired[0].mean == 1.0


def test_a_busier_week_alone_does_not_raise_a_warning():
    params = hotspots.Params()
    weeks = [(w, 10) for w in range(1, 9)] + [(0, 30)]  # three times the usual volume this week
    stream = [
        (100 * w + i, NOW - timedelta(days=7 * w + 1, minutes=i), ("路灯",) if i % 5 == 0 else ("噪音",))
        for w, n in weeks
        for i in range(n)
    ]
    assert hotspots.detect(stream, NOW, params) == []


def test_the_poisson_tail_is_right_on_small_numbers():
    assert hotspots.poisson_tail(0, 2.0) == 1.0
    assert hotspots.poisson_tail(1, 2.0) == pytest.approx(1 - 0.1353352832, rel=1e-9)
    assert hotspots.poisson_tail(4, 0.5) == pytest.approx(0.0017516225, rel=1e-6)


def test_the_community_is_told_in_its_inbox_and_sees_the_task(
    surge, client, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hotspots.run_warnings(NOW)
    task = ProactiveTask.objects.get()
    note = Notification.objects.get(recipient=surge.user("community"))
    assert note.link == f"/assessment/tasks/{task.pk}/"
    assert not Notification.objects.filter(recipient=surge.user("outsider_community")).exists()
    login(surge.user("community"))
    assert task.title in client.get("/assessment/tasks/").content.decode()
    assert client.get(f"/assessment/tasks/{task.pk}/").status_code == 200
    login(surge.user("outsider_community"))
    assert client.get(f"/assessment/tasks/{task.pk}/").status_code == 404
    assert task.title not in client.get("/assessment/tasks/").content.decode()


def test_the_community_completes_the_task_once(surge, client, login, api_token):
    hotspots.run_warnings(NOW)
    task = ProactiveTask.objects.get()
    url = f"/api/v1/assessment/proactive-tasks/{task.pk}/complete"
    body = {"outcome": "handled", "note": "已联系物业更换路灯 6 盏"}
    outsider = client.post(
        url, body, content_type="application/json", **api_token(surge.user("outsider_community"))
    )
    assert outsider.status_code == 404
    leader = client.post(url, body, content_type="application/json", **api_token(surge.user("leader")))
    assert leader.status_code == 403  # sees the street's tasks, but only the community acts on them
    headers = api_token(surge.user("community"))
    done = client.post(url, body, content_type="application/json", **headers)
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = client.post(url, body, content_type="application/json", **headers)
    assert again.status_code == 409
    task.refresh_from_db()
    assert (task.status, task.outcome, task.done_by) == ("done", "handled", surge.user("community"))
    assert [e.action for e in task.events.order_by("id")] == ["raise", "complete"]


def test_completing_without_a_note_is_refused_and_nothing_is_saved(surge):
    hotspots.run_warnings(NOW)
    task = ProactiveTask.objects.get()
    with pytest.raises(Exception, match="处置说明"):
        proactive.task_complete(actor=surge.user("community"), task=task, outcome="handled", note=" ")
    task.refresh_from_db()
    assert task.status == "open"


def test_the_detectors_built_in_parameters_are_the_rules_defaults(db):
    # bench/warnings_precision.py measures Params(); the periodic job reads the rules table.
    assert hotspots.Params() == hotspots.Params.from_rules()
