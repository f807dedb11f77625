"""model/sessions.py (SessionIds), model/user_agents.py (DeviceType) and model/session_config.py (the settings and
their defaults): the rules of session management that need no I/O."""

from __future__ import annotations

import re
import uuid

import pytest

from userpool.errors import OperationNotEnabledException
from userpool.model import session_config
from userpool.model.records import Pool
from userpool.model.sessions import is_sso, origin_of, sso_session_id, token_session_id
from userpool.model.user_agents import device_type

SESSION_ID = re.compile(r"^(tkn|sso)[a-z0-9]{25}$")  # SessionIdType's pattern


@pytest.mark.parametrize(
    "origin", [str(uuid.UUID(int=n)) for n in (0, 1, 35, 36, 2**64 + 7, 3**80, 2**127 + 12345, 2**128 - 1)]
)
def test_token_session_id__round_trip(origin: str) -> None:
    session_id = token_session_id(origin)
    assert SESSION_ID.fullmatch(session_id) and session_id.startswith("tkn")
    assert origin_of(session_id) == origin
    assert not is_sso(session_id)


def test_origin_of__only_token_session_ids() -> None:
    assert origin_of("sso" + "0" * 25) is None
    assert origin_of("tkn" + "z" * 25) is None  # beyond 128 bits: no UUID
    assert origin_of("tkn" + "0" * 24) is None
    assert origin_of("TKN" + "0" * 25) is None


def test_sso_session_id__derived_from_the_cookie_digest() -> None:
    first, second = sso_session_id("a" * 64), sso_session_id("b" * 64)
    assert SESSION_ID.fullmatch(first) and first.startswith("sso") and is_sso(first)
    assert first == sso_session_id("a" * 64) != second
    assert "a" * 10 not in first  # not the digest itself


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36",
            "Chrome 120 on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Version/17.1 Mobile/15E148 "
            "Safari/604.1",
            "Safari 17 on iOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/120.0 Safari/537.36 Edg/120.0.2210.91",
            "Edge 120 on macOS",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox 121 on Linux"),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0.6099.144 Mobile Safari/537.36",
            "Chrome 120 on Android",
        ),
        (
            "Boto3/1.40.0 md/Botocore#1.43.11 ua/2.1 os/linux#6.8.0 lang/python#3.11.2 Botocore/1.43.11",
            "Boto3 on Linux",
        ),
        ("aws-sdk-js/3.600.0 ua/2.1 os/macOS#14.5 lang/js", "aws-sdk-js on macOS"),
        ("python-httpx/0.28.1", "python-httpx"),
        ("", "unknown"),
        ("???", "unknown"),
    ],
)
def test_device_type__browser_or_app_and_system(agent: str, expected: str) -> None:
    assert device_type(agent) == expected


def test_device_type__at_most_1024_characters() -> None:
    assert len(device_type("X" * 2000 + "/1.0")) <= 1024


def _pool(**config: object) -> Pool:
    return Pool("us-east-1_Unit", "unit", dict(config), 0.0, 0.0)


def test_session_config__defaults_and_settings() -> None:
    pool = _pool()
    assert session_config.pool_wire(pool) == {
        "UserPoolId": pool.id,
        "UserSessionTracking": "DISABLED",
        "TokenSession": {"MaxPerUser": 20},
    }
    assert session_config.client_wire(pool, "c1")["SSOSession"] == {"MaxValidityMinutes": 60}
    tracked = _pool(**session_config.with_pool_settings({}, True, 3))
    assert session_config.settings(tracked) == session_config.SessionSettings(True, 3)
    configured = _pool(**session_config.with_client_settings(tracked.config, "c1", 0))
    assert session_config.sso_minutes(configured, "c1") == 0
    assert session_config.sso_minutes(configured, "c2") == 60
    assert session_config.with_client_settings(configured.config, "c1", None) == tracked.config
    assert session_config.stored(configured.config) == {
        k: configured.config[k] for k in (session_config.POOL_STORED, session_config.CLIENTS_STORED)
    }


def test_session_config__sso_reuse_window() -> None:
    untracked = _pool(**session_config.with_client_settings({}, "c1", 0))
    assert session_config.sso_reusable(untracked, "c1", 0.0, 10_000.0)  # dormant while tracking is off
    tracked = _pool(**session_config.with_client_settings(session_config.with_pool_settings({}, True, 20), "c1", 0))
    assert not session_config.sso_reusable(tracked, "c1", 100.0, 100.0)
    assert session_config.sso_reusable(tracked, "c2", 100.0, 100.0 + 3600)
    assert not session_config.sso_reusable(tracked, "c2", 100.0, 100.0 + 3601)


def test_session_config__refusals() -> None:
    with pytest.raises(OperationNotEnabledException):
        session_config.require_tracking(_pool())
