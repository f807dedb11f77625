"""The ``triggers`` setting: where each Lambda function of pools' LambdaConfig runs (README "Triggers"), from the
TOML file's ``[triggers]`` table and the environment's ``USERPOOL_TRIGGERS``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from userpool.migration_settings import COGNITO_MIGRATION, CognitoSource, cognito_source


@dataclass(frozen=True, slots=True)
class TriggerTarget:
    """Where one Lambda function of pools' LambdaConfig runs (README "Triggers").

    ``function`` is a full Lambda ARN, or a function name that stands for every ARN of that function;
    ``target`` is ``package.module:function`` (called in process), an ``http(s)://`` webhook URL, or
    ``cognito-migration`` (a UserMigration function built in, moving users in from the Cognito user pool
    ``source``: migration_settings.py); ``secret`` signs the webhook's requests, the server's
    ``trigger_secret`` when empty.
    """

    function: str
    target: str
    secret: str = field(default="", repr=False)
    source: CognitoSource | None = None


def _trigger_target(function: str, raw: Any) -> TriggerTarget:
    function = function.strip()
    if isinstance(raw, Mapping):
        if str(raw.get("target", "")).strip() == COGNITO_MIGRATION:
            table = {k: v for k, v in raw.items() if k != "target"}
            return TriggerTarget(function, COGNITO_MIGRATION, source=cognito_source(function, table))
        unknown = set(raw) - {"target", "secret"}
        if unknown or "target" not in raw:
            raise ValueError(f"trigger {function} must be a target string or a table of target and secret")
        target, secret = str(raw["target"]), str(raw.get("secret", ""))
    else:
        target, secret = str(raw), ""
    target = target.strip()
    if target == COGNITO_MIGRATION:
        raise ValueError(f"trigger {function}: a cognito-migration target is a table naming its source user pool")
    webhook = target.startswith(("http://", "https://"))
    callable_name = target.count(":") == 1 and all(target.split(":"))
    if not function or not (webhook or callable_name):
        raise ValueError(f"trigger {function!r} needs a target 'package.module:function' or an http(s):// URL")
    return TriggerTarget(function, target, secret)


def _json_triggers(raw: str) -> dict[str, Any]:
    """The environment's ``USERPOOL_TRIGGERS`` as a JSON object of function to target (a string or a table)."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ValueError("USERPOOL_TRIGGERS must be function=target pairs or a JSON object of function to target")
    return parsed


def trigger_targets(raw: Any) -> tuple[TriggerTarget, ...]:
    """A TOML table ``{function = target}``, or the environment's ``function=target,function=target`` or JSON
    object of the TOML table's shape."""
    if isinstance(raw, tuple) and all(isinstance(t, TriggerTarget) for t in raw):
        return raw
    if isinstance(raw, str) and raw.lstrip().startswith("{"):
        raw = _json_triggers(raw)
    if isinstance(raw, Mapping):
        return tuple(_trigger_target(str(k), v) for k, v in raw.items())
    pairs = [p for p in str(raw).split(",") if p.strip()]
    if not all("=" in p for p in pairs):
        raise ValueError("triggers must be comma-separated function=target pairs")
    return tuple(_trigger_target(*p.split("=", 1)) for p in pairs)


def merge_triggers(from_file: Any, from_environ: str) -> Any:
    """The environment's ``USERPOOL_TRIGGERS``: pairs replace the file's ``[triggers]``; a JSON object is laid
    over it function by function, and over a function's table key by key, so that the file can describe a
    target and the environment hold its secrets."""
    if not from_environ.lstrip().startswith("{"):
        return from_environ
    merged: dict[str, Any] = dict(from_file) if isinstance(from_file, Mapping) else {}
    for function, given in _json_triggers(from_environ).items():
        before = merged.get(function)
        if isinstance(given, Mapping) and before is not None:
            base = dict(before) if isinstance(before, Mapping) else {"target": before}
            merged[function] = {**base, **given}
        else:
            merged[function] = given
    return merged
