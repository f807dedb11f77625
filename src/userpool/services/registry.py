"""The table of implemented operations: Cognito's operation name -> service function.

Each service function is the snake_case of its operation name, found in one of the area modules below,
so that the table is mechanical and a test can diff it against the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from userpool.context import Ctx
from userpool.services import (
    admin_users,
    auth_challenges,
    auth_flows,
    clients,
    devices,
    domains,
    groups,
    list_users,
    mfa,
    pools,
    recovery,
    refresh,
    resource_servers,
    revocation,
    self_account,
    self_attributes,
    signup,
    tags,
    ui_customization,
    user_auth,
)

Service = Callable[[Ctx, dict[str, Any]], dict[str, Any]]

AREAS: tuple[ModuleType, ...] = (
    pools,
    clients,
    admin_users,
    list_users,
    groups,
    domains,
    resource_servers,
    tags,
    signup,
    recovery,
    auth_flows,
    auth_challenges,
    refresh,
    revocation,
    self_attributes,
    self_account,
    devices,
    mfa,
    ui_customization,
    user_auth,
)


def snake_case(operation: str) -> str:
    """``GetCSVHeader`` -> ``get_csv_header``; ``SetUserMFAPreference`` -> ``set_user_mfa_preference``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", operation).lower()


def build_table(operations: Iterable[str]) -> dict[str, Service]:
    table: dict[str, Service] = {}
    for operation in operations:
        name = snake_case(operation)
        for area in AREAS:
            fn = getattr(area, name, None)
            if callable(fn):
                table[operation] = fn
                break
    return table
