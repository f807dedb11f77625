"""Console sign-in and the browser defences (docs/architecture.md, Security invariants): no page without a session, no
POST without this browser's CSRF token, lockout after repeated wrong passwords, sign-out after the idle timeout."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from tests.conftest import make_settings
from tests.console.conftest import IDLE_SECONDS, OPERATOR, OPERATOR_PASSWORD, Console, add_operator
from tests.support.bridge import serve_in_thread
from userpool.app import build_runtime, create_app
from userpool.context import Ctx
from userpool.services.console.operators import list_operators

_WRONG = "Incorrect operator name or password."
_LOCKED = "locked"
_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


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


def _from(console: Console, address: str) -> TestClient:
    """Another browser, on another client address, to the same server."""
    return TestClient(console.http.app, base_url="http://localhost", follow_redirects=False, client=(address, 40000))


def _sign_in_at(http: TestClient, username: str, password: str) -> httpx.Response:
    page = http.get("/console/login")
    found = _CSRF.search(page.text)
    assert found, page.text
    return http.post("/console/login", data={"_csrf": found.group(1), "username": username, "password": password})


def test_console_sign_in__a_wrong_password_is_not_put_back_into_the_page(console: Console) -> None:
    guess = "my-Guessed-Passw0rd-42"
    answer = console.sign_in(password=guess)
    assert answer.status_code == 400 and _WRONG in answer.text
    assert guess not in answer.text
    locked = [console.sign_in(password=guess) for _ in range(5)][-1]
    assert _LOCKED in locked.text and guess not in locked.text


def test_console_sign_in__an_unknown_name_is_locked_like_an_operator(console: Console) -> None:
    """The locked answer tells nothing about which names exist: an unknown name locks after as many
    guesses as a real one, and stays locked for as long."""
    for name in (OPERATOR, "nobody-here"):
        answers = [console.sign_in(username=name, password="not-the-password-123").text for _ in range(6)]
        assert [_WRONG in text for text in answers] == [True] * 5 + [False]
        assert _LOCKED in answers[-1]
    console.clock.offset += 901
    for name in (OPERATOR, "nobody-here"):
        assert _WRONG in console.sign_in(username=name, password="not-the-password-123").text


def test_console_sign_in__one_address_cannot_lock_the_operator_out_of_another(console: Console) -> None:
    attacker, operator = _from(console, "203.0.113.7"), _from(console, "198.51.100.20")
    for _ in range(5):
        assert _WRONG in _sign_in_at(attacker, OPERATOR, "not-the-password-123").text
    assert _LOCKED in _sign_in_at(attacker, OPERATOR, OPERATOR_PASSWORD).text
    assert _sign_in_at(operator, OPERATOR, OPERATOR_PASSWORD).status_code == 303


def test_console_sign_in__guesses_from_many_addresses_meet_a_ceiling_per_name(console: Console) -> None:
    """A guess spread over many addresses is still bounded: 100 wrong passwords for one name within the
    lock period lock that name from every address, the operator's too, until the period ends."""
    for n in range(20):
        guesser = _from(console, f"203.0.113.{n + 1}")
        for _ in range(5):
            assert _WRONG in _sign_in_at(guesser, OPERATOR, "not-the-password-123").text
    elsewhere = _from(console, "198.51.100.20")
    assert _LOCKED in _sign_in_at(elsewhere, OPERATOR, OPERATOR_PASSWORD).text
    ctx = Ctx(deps=console.runtime.deps, request_id="test", now=console.clock.now(), region="us-east-1")
    assert [op.locked_until is not None for op in list_operators(ctx)] == [True]  # console-admin list: locked
    console.clock.offset += 901
    assert _sign_in_at(elsewhere, OPERATOR, OPERATOR_PASSWORD).status_code == 303


@pytest.mark.every_database
def test_console_sign_in__racing_wrong_passwords_are_counted_exactly(tmp_path: Path, database_url: str) -> None:
    """Wrong passwords sent at once over real connections get five answers that looked at the password,
    not more: the count and the lock are one atomic step, on SQLite and on PostgreSQL."""
    settings = make_settings(tmp_path / "data", database_url)
    runtime = build_runtime(settings)
    add_operator(runtime)
    racers = 16
    start = threading.Barrier(racers)
    answers: list[str] = []
    with serve_in_thread(create_app(settings, runtime=runtime)) as url:
        with httpx.Client(base_url=url) as browser:
            token = _CSRF.search(browser.get("/console/login").text)
            assert token
            cookies = dict(browser.cookies)

        def guess() -> None:
            with httpx.Client(base_url=url, cookies=cookies, timeout=60) as http:
                start.wait()
                data = {"_csrf": token.group(1), "username": OPERATOR, "password": "not-the-password-123"}
                answers.append(http.post("/console/login", data=data).text)

        threads = [threading.Thread(target=guess) for _ in range(racers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    runtime.store.dispose()
    assert len(answers) == racers
    assert sum(_WRONG in text for text in answers) == 5
    assert sum(_LOCKED in text for text in answers) == racers - 5


def test_console_sign_in__servers_sharing_a_database_share_the_count(console: Console) -> None:
    """The counters are in the database: guesses at two instances (or workers) of one deployment add up."""
    settings = console.runtime.deps.settings
    other = build_runtime(settings)
    with TestClient(create_app(settings, runtime=other), base_url="http://localhost", follow_redirects=False) as http:
        for guess in range(5):
            at = http if guess % 2 else console.http
            assert _WRONG in _sign_in_at(at, "nobody-here", "not-the-password-123").text
        assert _LOCKED in _sign_in_at(http, "nobody-here", "not-the-password-123").text
        assert _LOCKED in _sign_in_at(console.http, "nobody-here", "not-the-password-123").text
    other.store.dispose()
