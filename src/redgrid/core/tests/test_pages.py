"""Home routing, workbenches, H5 home, health check, and query counts of list pages."""

import pytest

pytestmark = pytest.mark.django_db

STAFF = ["gridworker", "branch", "community", "street", "unit", "leader", "admin"]


@pytest.mark.parametrize("username", STAFF)
def test_each_staff_role_reaches_its_workbench(world, client, username):
    client.force_login(world.user(username))
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/workbench/"
    assert response.status_code == 200 and "工作台" in response.content.decode()


@pytest.mark.parametrize("username", ["resident", "member"])
def test_residents_and_members_reach_the_mobile_home(world, client, username):
    client.force_login(world.user(username))
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/h5/"
    html = response.content.decode()
    assert 'name="viewport"' in html and '<meta charset="utf-8">' in html


def test_a_resident_is_sent_away_from_staff_pages(world, client):
    client.force_login(world.user("resident"))
    assert client.get("/regions/grids/").status_code == 302


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/workbench/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_pages_declare_utf8_and_a_content_security_policy(world, client):
    client.force_login(world.user("street"))
    response = client.get("/workbench/")
    assert '<meta charset="utf-8">' in response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_healthz_reports_the_database_and_the_task_queue(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["tasks"] == "ok"


def test_the_api_docs_and_schema_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/auth/token" in schema["paths"] and "/api/v1/grids/{grid_id}" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_the_grid_list_page_takes_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    client.force_login(world.user("street"))
    client.get("/regions/grids/")  # warm the session
    # session, user, grants (scope), nav roots, nav orgs, nav units, count, page of grids,
    # households per grid, residents per grid, idle-timeout grant check, session save
    with django_assert_max_num_queries(12):
        response = client.get("/regions/grids/")
    assert response.status_code == 200


def test_the_resident_list_page_takes_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    client.force_login(world.user("community"))
    client.get("/regions/residents/")
    # session, user, grants, nav roots/orgs/units, count, page (joined household), grid filter options,
    # idle-timeout grant check, session save
    with django_assert_max_num_queries(12):
        response = client.get("/regions/residents/")
    assert response.status_code == 200 and response.content.decode().count("<tr>") == 1 + 16


def test_the_member_list_page_takes_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    client.force_login(world.user("street"))
    client.get("/party/members/")
    # session, user, grants, nav (3), anchored orgs, count, page (joined person, org), idle check, session save
    with django_assert_max_num_queries(12):
        response = client.get("/party/members/")
    assert response.status_code == 200


def test_the_grid_api_list_takes_a_fixed_number_of_queries(world, client, api_token, django_assert_max_num_queries):
    headers = api_token(world.user("admin"))
    # token+user, grants, count, page, communities of the page, token last-used update
    with django_assert_max_num_queries(7):
        assert client.get("/api/v1/grids", **headers).status_code == 200


def test_the_inbox_shows_an_empty_state(world, client):
    client.force_login(world.user("resident"))
    assert "暂无消息" in client.get("/inbox/").content.decode()


def test_the_branch_workbench_counts_the_members_of_the_branch(world, client):
    client.force_login(world.user("branch"))
    html = client.get("/workbench/").content.decode()
    assert '<div class="n">2</div><div class="l">正式党员</div>' in html
    assert '<div class="n">1</div><div class="l">预备党员</div>' in html


def test_the_community_workbench_counts_its_grids_households_and_residents(world, client):
    client.force_login(world.user("community"))
    html = client.get("/workbench/").content.decode()
    for n, label in ((2, "网格"), (8, "户"), (16, "居民")):
        assert f'<div class="n">{n}</div><div class="l">{label}</div>' in html


def test_input_with_a_nul_character_is_refused_with_400_everywhere(client, db):
    # PostgreSQL cannot store NUL in text: found by schemathesis as a 500 on /api/v1/auth/token.
    body = '{"username": "a\\u0000b", "password": "x"}'
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 400 and "NUL" in response.json()["detail"]
    assert client.get("/api/v1/grids", {"q": "a\x00"}).status_code == 400
    assert client.post("/accounts/login/", {"username": "a\x00", "password": "x"}).status_code == 400
    assert client.post("/api/v1/auth/token", '{"username": "a", "password": "x"}',
                       content_type="application/json").status_code != 400
