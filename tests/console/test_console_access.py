"""Console sign-in and the browser defences (design §6): no page without a session, no POST without this
browser's CSRF token, lockout after repeated wrong passwords, sign-out after the idle timeout."""

from __future__ import annotations

from tests.console.conftest import IDLE_SECONDS, OPERATOR, OPERATOR_PASSWORD, Console


def _pool_count(console: Console) -> int:
    return len(console.idp.list_user_pools(MaxResults=60)["UserPools"])


def test_console__refuses_pages_without_sign_in(console: Console) -> None:
    answer = console.http.get("/console/pools/new")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login?next=%2Fconsole%2Fpools%2Fnew"
    token = console.csrf("/console/login")
    refused = console.http.post("/console/pools/new", data={"_csrf": token, "pool_name": "sneaky"})
    assert refused.status_code == 403
    assert _pool_count(console) == 0


def test_console__sign_in_sets_a_strict_http_only_cookie_and_returns_to_next(console: Console) -> None:
    token = console.csrf("/console/login?next=/console/outbox")
    answer = console.http.post(
        "/console/login?next=/console/outbox",
        data={"_csrf": token, "username": OPERATOR, "password": OPERATOR_PASSWORD},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/console/outbox"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert console.http.get("/console/outbox").status_code == 200


def test_console__sign_in_never_redirects_off_the_console(console: Console) -> None:
    token = console.csrf("/console/login")
    for target in ("https://evil.example/", "//evil.example/console/", "/console\\@evil.example"):
        answer = console.http.post(
            "/console/login",
            params={"next": target},
            data={"_csrf": token, "username": OPERATOR, "password": OPERATOR_PASSWORD},
        )
        assert answer.headers["location"] == "/console/"


def test_console__forged_post_without_the_csrf_token_is_rejected(signed_in: Console) -> None:
    for token in (None, "0" * 64):
        data = {"pool_name": "forged"} | ({"_csrf": token} if token else {})
        answer = signed_in.http.post("/console/pools/new", data=data)
        assert answer.status_code == 403
        assert "did not come from this console" in answer.text
    assert _pool_count(signed_in) == 0


def test_console__wrong_passwords_lock_the_operator_out(console: Console) -> None:
    for _ in range(5):
        answer = console.sign_in(password="not-the-password-123")
        assert answer.status_code == 400 and "Incorrect operator name or password." in answer.text
    locked = console.sign_in()
    assert locked.status_code == 400 and "locked" in locked.text
    console.clock.offset += 901
    assert console.sign_in().status_code == 303


def test_console__unknown_operator_gets_the_wrong_password_answer(console: Console) -> None:
    answer = console.sign_in(username="nobody", password="whatever-password")
    assert answer.status_code == 400 and "Incorrect operator name or password." in answer.text


def test_console__idle_session_is_signed_out(signed_in: Console) -> None:
    assert signed_in.http.get("/console/").status_code == 200
    signed_in.clock.offset += IDLE_SECONDS - 30
    assert signed_in.http.get("/console/").status_code == 200  # activity moves the timeout on
    signed_in.clock.offset += IDLE_SECONDS - 30
    assert signed_in.http.get("/console/").status_code == 200
    signed_in.clock.offset += IDLE_SECONDS + 1
    answer = signed_in.http.get("/console/")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/login")


def test_console__sign_out_ends_the_session_on_the_server(signed_in: Console) -> None:
    cookie = signed_in.http.cookies.get("userpool_console")
    answer = signed_in.post("/console/logout", {})
    assert answer.status_code == 303
    assert cookie
    replayed = signed_in.http.get("/console/", headers={"Cookie": f"userpool_console={cookie}"})
    assert replayed.status_code == 303


def test_console__pages_send_the_security_headers(signed_in: Console) -> None:
    headers = signed_in.http.get("/console/").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


def test_console_sign_in__a_wrong_password_is_not_put_back_into_the_page(console: Console) -> None:
    guess = "my-Guessed-Passw0rd-42"
    answer = console.sign_in(password=guess)
    assert answer.status_code == 400 and "Incorrect operator name or password." in answer.text
    assert guess not in answer.text
    locked = [console.sign_in(password=guess) for _ in range(5)][-1]
    assert "locked" in locked.text and guess not in locked.text
