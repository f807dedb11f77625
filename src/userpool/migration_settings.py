"""The settings of a ``cognito-migration`` trigger target: the Amazon Cognito user pool that users move in from,
the first time they sign in here (README "Leaving Amazon Cognito (live migration)").

A target of this kind is a table of the ``triggers`` setting, keyed like any other by a Lambda function's
name or ARN::

    [triggers.MigrateUserFn]
    target = "cognito-migration"
    user_pool_id = "eu-west-1_AbCdEf123"
    client_id = "..."
    access_key_id = "AKIA..."
    secret_access_key = "..."

``region`` defaults to the pool id's, ``endpoint_url`` to AWS's regional endpoint for it; ``client_secret``
is the app client's, when it has one (SECRET_HASH); ``sub_attribute`` a custom attribute that keeps the
source user's ``sub``, which the new pool cannot take over; ``auth_flow`` how the password is checked.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

COGNITO_MIGRATION = "cognito-migration"
ADMIN_FLOW = "ADMIN_USER_PASSWORD_AUTH"
SRP_FLOW = "USER_SRP_AUTH"
# "": ADMIN_USER_PASSWORD_AUTH, and USER_SRP_AUTH from the first time the source's app client refuses it.
AUTH_FLOWS = ("", ADMIN_FLOW, SRP_FLOW)
REQUIRED_KEYS = ("user_pool_id", "client_id", "access_key_id", "secret_access_key")
OPTIONAL_KEYS = ("region", "endpoint_url", "client_secret", "sub_attribute", "auth_flow")
SOURCE_KEYS = REQUIRED_KEYS + OPTIONAL_KEYS
# botocore's model: UserPoolIdType and ClientIdType.
_POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+")
_CLIENT_ID = re.compile(r"[\w+]+")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")


@dataclass(frozen=True, slots=True)
class CognitoSource:
    """The source user pool and the credentials its Admin* calls are signed with. The secrets stay out of the
    dataclass's repr, so that no log line or traceback shows them."""

    user_pool_id: str
    client_id: str
    region: str
    endpoint_url: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    client_secret: str = field(default="", repr=False)
    sub_attribute: str = ""
    auth_flow: str = ""


def aws_endpoint(region: str) -> str:
    """The Amazon Cognito user pools endpoint of ``region`` (AWS General Reference: 'Amazon Cognito endpoints and
    quotas'); the China regions' are under amazonaws.com.cn."""
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://cognito-idp.{region}.{suffix}/"


def is_loopback_host(host: str) -> bool:
    """``host`` (a URL's host name) names this machine: ``localhost`` or a loopback address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _endpoint(function: str, url: str) -> str:
    """``url`` if passwords may be sent there: https anywhere, plain http only to this machine (a source pool
    run beside the server, in tests)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"trigger {function}: endpoint_url {url!r} is not an http(s):// URL")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError(f"trigger {function}: endpoint_url must be https:// unless its host is a loopback address")
    return url


def cognito_source(function: str, table: Mapping[str, Any]) -> CognitoSource:
    """The source a ``cognito-migration`` target's table describes; ValueError naming what is wrong (never a
    secret's value)."""
    unknown = set(table) - set(SOURCE_KEYS)
    if unknown:
        raise ValueError(f"trigger {function}: unknown cognito-migration settings {', '.join(sorted(unknown))}")
    values = {key: str(table.get(key) or "").strip() for key in SOURCE_KEYS}
    missing = [key for key in REQUIRED_KEYS if not values[key]]
    if missing:
        raise ValueError(f"trigger {function}: cognito-migration needs {', '.join(missing)}")
    if not _POOL_ID.fullmatch(values["user_pool_id"]) or not _CLIENT_ID.fullmatch(values["client_id"]):
        raise ValueError(f"trigger {function}: user_pool_id or client_id is not a Cognito identifier")
    region = values["region"] or values["user_pool_id"].split("_", 1)[0]
    if not _REGION.fullmatch(region):
        raise ValueError(f"trigger {function}: {region!r} is not an AWS region")
    if values["auth_flow"] not in AUTH_FLOWS:
        raise ValueError(f"trigger {function}: auth_flow must be {ADMIN_FLOW} or {SRP_FLOW}")
    if values["sub_attribute"] and not values["sub_attribute"].startswith("custom:"):
        raise ValueError(f"trigger {function}: sub_attribute must be a custom attribute (custom:...)")
    return CognitoSource(
        user_pool_id=values["user_pool_id"],
        client_id=values["client_id"],
        region=region,
        endpoint_url=_endpoint(function, values["endpoint_url"] or aws_endpoint(region)),
        access_key_id=values["access_key_id"],
        secret_access_key=values["secret_access_key"],
        client_secret=values["client_secret"],
        sub_attribute=values["sub_attribute"],
        auth_flow=values["auth_flow"],
    )
