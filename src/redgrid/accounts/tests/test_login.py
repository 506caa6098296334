"""Login by username or phone, lockout, idle timeout, password rules and API tokens."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from redgrid.core.models import AuditLog
from redgrid.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_a_user_logs_in_with_username_and_lands_on_the_workbench(world, client):
    response = client.post("/accounts/login/", {"username": "street", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/workbench/"
    assert "工作台" in response.content.decode()


def test_a_user_logs_in_with_the_phone_number(world, client):
    response = client.post("/accounts/login/", {"username": "13900009999", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/h5/"
    assert AuditLog.objects.filter(action="login", actor_name="resident").exists()


def test_a_wrong_password_shows_a_chinese_error_and_is_audited(world, client):
    response = client.post("/accounts/login/", {"username": "street", "password": "wrong"})
    assert "用户名/手机号或密码错误" in response.content.decode()
    assert AuditLog.objects.filter(action="login_failed", object_repr="street").count() == 1


def test_five_failures_lock_the_account_for_fifteen_minutes_even_with_the_right_password(world, client):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "street", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "street", "password": PASSWORD})
    assert locked.status_code == 403 and "锁定 15 分钟" in locked.content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        ok = client.post("/accounts/login/", {"username": "street", "password": PASSWORD})
        assert ok.status_code == 302


def test_failures_by_phone_number_count_against_the_same_account(world, client):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "resident", "password": "wrong"})
    for _ in range(2):
        client.post("/accounts/login/", {"username": "13900009999", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "resident", "password": PASSWORD})
    assert locked.status_code == 403


def test_a_staff_session_ends_after_thirty_idle_minutes(world, client):
    client.post("/accounts/login/", {"username": "community", "password": PASSWORD})
    assert client.get("/workbench/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.get("/workbench/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_resident_session_survives_thirty_idle_minutes(world, client):
    client.post("/accounts/login/", {"username": "resident", "password": PASSWORD})
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert client.get("/h5/").status_code == 200


@pytest.mark.parametrize("password", ["short1A", "alllowercase1", "ALLUPPER1234", "NoDigitsHere"])
def test_weak_staff_passwords_are_refused_with_a_chinese_reason(password):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as excinfo:
            validate_password(password)
        messages = [str(m) for m in excinfo.value.messages]
    assert any("密码" in m or "字符" in m for m in messages), messages


def test_a_password_of_three_classes_and_eight_characters_is_accepted():
    validate_password("Grid@2026")


def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = make_user("argon_user")
    assert user.password.startswith("argon2")


def test_the_token_endpoint_issues_a_bearer_token_that_identifies_the_user(world, client):
    response = client.post("/api/v1/auth/token", {"username": "street", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["username"] == "street"
    assert me["grants"] == [{"role": "street", "role_name": "街道管理员", "node_type": "region",
                             "node_id": world.regions["guangwen"].pk, "node_name": "广文街道"}]


def test_the_token_endpoint_refuses_a_wrong_password_in_chinese(world, client):
    response = client.post("/api/v1/auth/token", {"username": "street", "password": "x"},
                           content_type="application/json")
    assert response.status_code == 401 and "密码错误" in response.json()["detail"]


def test_the_token_endpoint_honours_the_lockout(world, client):
    for _ in range(5):
        client.post("/api/v1/auth/token", {"username": "unit", "password": "x"}, content_type="application/json")
    response = client.post("/api/v1/auth/token", {"username": "unit", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 403 and "锁定" in response.json()["detail"]


def test_an_expired_token_is_refused(world, client, api_token):
    headers = api_token(world.user("street"))
    with time_machine.travel(timezone.now() + timedelta(hours=13)):
        response = client.get("/api/v1/me", **headers)
    assert response.status_code == 401 and "令牌" in response.json()["detail"]


def test_the_api_without_credentials_answers_401(client):
    assert client.get("/api/v1/grids").status_code == 401


def test_logout_is_audited(world, client):
    client.force_login(world.user("street"))
    client.post("/accounts/logout/")
    assert AuditLog.objects.filter(action="logout", actor_name="street").exists()
