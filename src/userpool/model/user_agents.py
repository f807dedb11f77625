"""A short description of the device behind a User-Agent header: the browser or app, and the operating system
(SessionDescriptionType's DeviceType: "derived from the parsed user agent (operating system and browser or
app)"). "unknown" is a valid answer, and the one given for what is not recognised."""

from __future__ import annotations

import re

MAX_DEVICE_TYPE = 1024  # SessionDeviceType's max length
UNKNOWN = "unknown"

# Operating systems, the more specific first (iPhones say "like Mac OS X", Android says "Linux").
_SYSTEMS = (
    (re.compile(r"iPhone|iPad|iPod"), "iOS"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Mac OS X|Macintosh"), "macOS"),
    (re.compile(r"Linux|X11"), "Linux"),
    # The AWS SDKs' own "os/<name>#<version>" token.
    (re.compile(r"\bos/(?:macos|darwin)\b", re.I), "macOS"),
    (re.compile(r"\bos/windows\b", re.I), "Windows"),
    (re.compile(r"\bos/linux\b", re.I), "Linux"),
)
# Browsers, the more specific first (Edge and Opera say "Chrome", Chrome says "Safari").
_BROWSERS = (
    (re.compile(r"\bEdg(?:e|A|iOS)?/(\d+)"), "Edge"),
    (re.compile(r"\bOPR/(\d+)"), "Opera"),
    (re.compile(r"\bFirefox/(\d+)|\bFxiOS/(\d+)"), "Firefox"),
    (re.compile(r"\bChrome/(\d+)|\bCriOS/(\d+)"), "Chrome"),
    (re.compile(r"\bVersion/(\d+)[.\d]* (?:Mobile/\w+ )?Safari/"), "Safari"),
)
_PRODUCT = re.compile(r"([A-Za-z][\w.\-]{0,63})/[\w.\-]+")


def _app(agent: str) -> str | None:
    """The first product token of a non-browser client (``Boto3/1.35.0 ...`` is Boto3)."""
    found = _PRODUCT.match(agent.strip())
    return found.group(1) if found and found.group(1) != "Mozilla" else None


def device_type(user_agent: str | None) -> str:
    """``Chrome 120 on Windows``, ``Safari 17 on iOS``, ``Boto3 on Linux``; ``unknown`` for anything else."""
    agent = (user_agent or "").strip()
    if not agent:
        return UNKNOWN
    system = next((name for pattern, name in _SYSTEMS if pattern.search(agent)), None)
    client: str | None = None
    for pattern, name in _BROWSERS:
        found = pattern.search(agent)
        if found:
            version = next((g for g in found.groups() if g), None)
            client = f"{name} {version}" if version else name
            break
    client = client or _app(agent)
    if client and system:
        described = f"{client} on {system}"
    else:
        described = client or system or UNKNOWN
    return described[:MAX_DEVICE_TYPE]
