"""Which configured target runs a Lambda ARN: the settings' ``triggers`` (README "Triggers").

An entry names a full ARN, or a function name that stands for every ARN of that function (any region,
account or qualifier); an exact ARN wins.
"""

from __future__ import annotations

from collections.abc import Iterable

from userpool.config import Settings, TriggerTarget


def function_name(arn: str) -> str:
    """``name`` of ``arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]``."""
    parts = arn.split(":")
    if len(parts) >= 7 and parts[5] == "function":
        return parts[6]
    return parts[-1]


def find_target(targets: Iterable[TriggerTarget], arn: str) -> TriggerTarget | None:
    """The first of ``targets`` for exactly ``arn``, else the first for its function name, else None."""
    by_name = None
    name = function_name(arn)
    for target in targets:
        if target.function == arn:
            return target
        if by_name is None and target.function == name:
            by_name = target
    return by_name


def target_for(settings: Settings, arn: str) -> TriggerTarget | None:
    return find_target(settings.triggers, arn)


def is_webhook(target: TriggerTarget) -> bool:
    return target.target.startswith(("http://", "https://"))


def is_cognito_migration(target: TriggerTarget) -> bool:
    """The built-in UserMigration function that moves users in from a Cognito user pool (cognito_migration.py)."""
    return target.source is not None
