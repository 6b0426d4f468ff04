"""Logging in and out of the web pages, and what happens to requests without a login."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from communitydesk.cli.main import app
from communitydesk.runtime import Desk
from communitydesk.users.models import User
from communitydesk.web.throttle import LoginThrottle
from tests.conftest import PASSWORD, People
from tests.web.helpers import csrf_of, log_in


def test_login_with_the_right_password_opens_the_queue(app_client: TestClient, people: People) -> None:
    token = csrf_of(app_client.get("/login").text)
    response = app_client.post(
        "/login",
        data={"email": "Advocate@Example.com", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = app_client.get("/")
    assert page.status_code == 200
    assert "Advocate" in page.text and "Log out" in page.text
    assert csrf_of(page.text) != token, "the CSRF token is rotated at login"


def test_a_wrong_password_is_refused(app_client: TestClient, people: People) -> None:
    token = csrf_of(app_client.get("/login").text)
    response = app_client.post(
        "/login", data={"email": people.advocate.email, "password": "not it at all", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "Wrong email or password." in response.text
    assert 'value="advocate@example.com"' in response.text
    assert app_client.get("/tickets", follow_redirects=False).status_code == 303


def test_pages_redirect_to_login_and_back(app_client: TestClient, people: People) -> None:
    response = app_client.get("/tickets?status=open", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Ftickets%3Fstatus%3Dopen"
    login_page = app_client.get(response.headers["location"])
    assert 'name="next" value="/tickets?status=open"' in login_page.text
    response = app_client.post(
        "/login",
        data={
            "email": people.viewer.email,
            "password": PASSWORD,
            "next": "/tickets?status=open",
            "csrf_token": csrf_of(login_page.text),
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/tickets?status=open"


@pytest.mark.parametrize("target", ["/tickets/1", "/", "/tickets/1/macro-fields"])
def test_every_page_needs_a_login(app_client: TestClient, target: str) -> None:
    response = app_client.get(target, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_posts_without_a_login_go_to_the_login_page(app_client: TestClient) -> None:
    response = app_client.post("/tickets/1/status", data={"status": "open"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_htmx_requests_without_a_login_reload_the_login_page(app_client: TestClient) -> None:
    response = app_client.get("/tickets", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/login?next=%2Ftickets"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "http:/x", ""],
)
def test_login_only_redirects_to_this_site(app_client: TestClient, people: People, next_url: str) -> None:
    token = csrf_of(app_client.get("/login").text)
    response = app_client.post(
        "/login",
        data={"email": people.admin.email, "password": PASSWORD, "next": next_url, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_login_without_a_csrf_token_is_refused(app_client: TestClient, people: People) -> None:
    app_client.get("/login")
    response = app_client.post("/login", data={"email": people.admin.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert app_client.get("/tickets", follow_redirects=False).status_code == 303


def test_logout_ends_the_session_and_needs_the_token(app_client: TestClient, people: People) -> None:
    token = log_in(app_client, people.advocate.email)
    assert app_client.post("/logout", follow_redirects=False).status_code == 403
    assert app_client.get("/tickets", follow_redirects=False).status_code == 200
    response = app_client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert "You are logged out." in app_client.get("/login").text
    assert app_client.get("/tickets", follow_redirects=False).status_code == 303


def test_a_deactivated_user_is_logged_out(app_client: TestClient, people: People, desk: Desk) -> None:
    log_in(app_client, people.advocate.email)
    with desk.sessions() as session, session.begin():
        session.execute(update(User).where(User.id == people.advocate.id).values(is_active=False))
    assert app_client.get("/tickets", follow_redirects=False).status_code == 303


def test_the_login_page_moves_on_when_logged_in(app_client: TestClient, people: People) -> None:
    log_in(app_client, people.advocate.email)
    response = app_client.get("/login?next=/tickets/7", follow_redirects=False)
    assert response.headers["location"] == "/tickets/7"


def _try(client: TestClient, email: str, password: str) -> int:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=False
    )
    if response.status_code == 429:
        assert int(response.headers["Retry-After"]) > 0
        assert "Too many failed logins. Try again in 15 minutes." in response.text
    return response.status_code


def test_repeated_wrong_passwords_pause_logins(app_client: TestClient, people: People) -> None:
    email = people.advocate.email
    assert [_try(app_client, email, "guess") for _ in range(5)] == [400] * 5
    # Paused now, even with the right password, and for other emails from the same client.
    assert _try(app_client, email, PASSWORD) == 429
    assert _try(app_client, people.admin.email, PASSWORD) == 429


def test_a_right_password_clears_the_email_count(app_client: TestClient, people: People) -> None:
    email = people.advocate.email
    assert [_try(app_client, email, "guess") for _ in range(4)] == [400] * 4
    assert _try(app_client, email, PASSWORD) == 303


def test_paused_logins_resume_when_old_failures_leave_the_window() -> None:
    now = [1000.0]
    throttle = LoginThrottle(max_failures=3, window_seconds=600, clock=lambda: now[0])
    for step in range(3):
        now[0] = 1000.0 + step * 100
        throttle.failed(email="A@example.com", client="1.2.3.4")
    assert throttle.retry_after(email="a@example.com", client="5.6.7.8") == 400  # the email is paused
    assert throttle.retry_after(email="b@example.com", client="1.2.3.4") == 400  # and so is the client
    now[0] = 1600.0  # the first failure has left the window
    assert throttle.retry_after(email="a@example.com", client="1.2.3.4") == 0
    assert LoginThrottle(max_failures=0, window_seconds=600).retry_after(email="a", client="b") == 0


def test_unknown_pages_answer_with_a_page_and_the_api_with_json(app_client: TestClient) -> None:
    page = app_client.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "There is no such page." in page.text
    wrong_method = app_client.delete("/login")
    assert wrong_method.status_code == 405 and "text/html" in wrong_method.headers["content-type"]
    assert "GET" in wrong_method.headers["allow"]
    api = app_client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_a_cookie_copied_before_logout_is_worthless_after_it(app_client: TestClient, people: People) -> None:
    token = log_in(app_client, people.advocate.email)
    stolen = app_client.cookies.get("desk_session")
    assert stolen
    assert app_client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    with TestClient(app_client.app, cookies={"desk_session": stolen}) as replay:
        assert replay.get("/tickets", follow_redirects=False).status_code == 303


def test_sign_out_ends_every_web_login_of_a_user(
    app_client: TestClient, people: People, cli: CliRunner
) -> None:
    log_in(app_client, people.advocate.email)
    with TestClient(app_client.app) as other_browser:
        log_in(other_browser, people.advocate.email)
        result = cli.invoke(app, ["user", "sign-out", people.advocate.email])
        assert result.exit_code == 0, result.output
        assert "ended 2 web logins of advocate@example.com" in result.output
        assert other_browser.get("/tickets", follow_redirects=False).status_code == 303
    assert app_client.get("/tickets", follow_redirects=False).status_code == 303
    assert cli.invoke(app, ["user", "sign-out", "nobody@example.com"]).exit_code != 0
