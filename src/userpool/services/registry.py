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
from userpool.services.directory import clients, domains, pools, resource_servers, tags, ui_customization
from userpool.services.self_service import account, attributes
from userpool.services.sign_in import auth_challenges, auth_flows, devices, mfa
from userpool.services.sign_up import recovery, registration
from userpool.services.tokens import refresh, revocation
from userpool.services.users import admin_users, groups, list_users

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
    registration,
    recovery,
    auth_flows,
    auth_challenges,
    refresh,
    revocation,
    attributes,
    account,
    devices,
    mfa,
    ui_customization,
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
