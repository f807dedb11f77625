"""Services and entry points read a pool's or a client's settings through model/pool_config.py and
model/client_config.py, never by reaching into the stored configuration document themselves: each member's
name and default is then written once, beside Cognito's rules for it.

Handing the whole document to a model function (``effective_auth_flows(client.config)``) and building a new
document to store (``{**pool.config, "UserPoolTags": tags}``) are allowed; reading a member is not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import userpool

ROOT = Path(userpool.__file__).parent
SCANNED = ("services", "api", "oauth", "web")
# A pool or client record (pool, client, target.pool, access.client, p, ...) followed by its configuration.
_RECORD = r"(?:\b\w*pool|\b\w*client|\bp|\bc)\.config"
RAW_READS = [
    re.compile(_RECORD + r"\s*(?:\.get\(|\[|\.items\(|\.keys\(|\.values\()"),  # a member, or all of them
    re.compile(r"\bin\s+\(?(?:[\w\[\]]+\.)*" + _RECORD + r"\b"),  # "Member" in pool.config
    re.compile(r"=\s*(?:dict\(|copy\.(?:deep)?copy\()?" + _RECORD + r"\)?\s*$"),  # a copy read afterwards
]


def _sources() -> list[Path]:
    return sorted(p for area in SCANNED for p in (ROOT / area).rglob("*.py"))


def raw_reads(text: str) -> list[str]:
    """The lines of ``text`` that read a pool's or client's configuration document directly."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("#", 1)[0]
        if any(pattern.search(code) for pattern in RAW_READS):
            found.append(f"{number}: {line.strip()}")
    return found


def test_settings_access__scans_the_entry_points_and_services() -> None:
    assert len(_sources()) > 50


@pytest.mark.parametrize(
    "line",
    [
        'if pool.config.get("DeletionProtection") == "ACTIVE":',
        'minutes = client.config["AuthSessionValidity"]',
        'uses_email = "email" in (j.target.pool.config.get("UsernameAttributes") or [])',
        'custom = "CustomDomainConfig" in access.client.config',
        "config = dict(pool.config)",
        "for k, v in client.config.items():",
    ],
)
def test_settings_access__catches_a_raw_read(line: str) -> None:
    assert raw_reads(line)


@pytest.mark.parametrize(
    "line",
    [
        "flows = effective_auth_flows(client.config)",
        'config = {**pool.config, "UserPoolTags": tags}',
        'body = {"ManagedLoginVersion": domain.config.get("ManagedLoginVersion", 1)}',
    ],
)
def test_settings_access__allows_handing_the_document_on(line: str) -> None:
    assert not raw_reads(line)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_settings_access__no_raw_config_reads(path: Path) -> None:
    assert raw_reads(path.read_text(encoding="utf-8")) == []
