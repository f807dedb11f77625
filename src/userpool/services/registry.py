"""The tables of implemented operations: Cognito's operation name -> service function, one table for the user
pools API (cognito-idp) and one for the identity pools API (cognito-identity).

Each operation is answered by the function named after it in snake_case, defined in one of the operation
modules below: the modules at the top of the area packages (services/__init__.py). A function is found in
the module that defines it (its ``__module__``), never in one that only imports it, so that the table is
mechanical, each operation has one home, and a test can diff the table against the model.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any, cast

from userpool.context import Ctx
from userpool.services.directory import (
    client_secrets,
    clients,
    domains,
    log_delivery,
    pools,
    resource_servers,
    session_configuration,
    tags,
    ui_customization,
)
from userpool.services.federation import links, providers, saml_certificates
from userpool.services.identity_pools import (
    credentials,
    developer_identities,
    identities,
    open_id_tokens,
    principal_tags,
    roles,
)
from userpool.services.identity_pools import pools as identity_pools
from userpool.services.identity_pools import tags as identity_pool_tags
from userpool.services.self_service import account, attributes, passkeys
from userpool.services.sign_in import auth_challenges, auth_flows, devices, mfa
from userpool.services.sign_up import recovery, registration
from userpool.services.threat_protection import auth_events, risk_configuration
from userpool.services.tokens import client_tokens, refresh, revocation, token_exchange, user_sessions
from userpool.services.user_import import import_jobs
from userpool.services.users import admin_attributes, admin_passwords, admin_users, groups, list_users

Service = Callable[[Ctx, dict[str, Any]], dict[str, Any]]

OPERATION_MODULES: tuple[ModuleType, ...] = (
    # directory/
    pools,
    clients,
    client_secrets,
    domains,
    resource_servers,
    tags,
    ui_customization,
    log_delivery,
    session_configuration,
    # users/
    admin_users,
    admin_attributes,
    admin_passwords,
    list_users,
    groups,
    # sign_up/
    registration,
    recovery,
    # sign_in/
    auth_flows,
    auth_challenges,
    mfa,
    devices,
    # tokens/
    refresh,
    revocation,
    client_tokens,
    token_exchange,
    user_sessions,
    # self_service/
    attributes,
    account,
    passkeys,
    # federation/
    links,
    providers,
    saml_certificates,
    # threat_protection/
    risk_configuration,
    auth_events,
    # user_import/
    import_jobs,
)

# cognito-identity's operations (identity pools): services/identity_pools/.
IDENTITY_OPERATION_MODULES: tuple[ModuleType, ...] = (
    identity_pools,
    roles,
    identity_pool_tags,
    principal_tags,
    identities,
    open_id_tokens,
    developer_identities,
    credentials,
)


# Operations answered from one short read transaction and nothing else that can wait: no write, no password hash
# or SRP exponentiation, no trigger, message or outbound call. Where the store's reads never wait either (SQLite),
# the API runs them on its event loop, without a hop to a worker thread (api/endpoint.py), and refuses any write
# they would start.
QUICK_READS = frozenset({"GetUser", "AdminGetUser"})


def snake_case(operation: str) -> str:
    """``GetCSVHeader`` -> ``get_csv_header``; ``SetUserMFAPreference`` -> ``set_user_mfa_preference``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", operation).lower()


def defined_in(module: ModuleType, name: str) -> Service | None:
    """The function ``name`` if ``module`` defines it; None if it has none, or only imported one."""
    fn = vars(module).get(name)
    if callable(fn) and getattr(fn, "__module__", None) == module.__name__:
        return cast(Service, fn)
    return None


def build_table(operations: Iterable[str], modules: tuple[ModuleType, ...] = OPERATION_MODULES) -> dict[str, Service]:
    """Each of ``operations`` that a module of ``modules`` defines, with its function: cognito-idp's by default,
    cognito-identity's with IDENTITY_OPERATION_MODULES."""
    return dict(_table(tuple(operations), modules))


@functools.cache
def _table(operations: tuple[str, ...], modules: tuple[ModuleType, ...]) -> dict[str, Service]:
    # Made once per process: the modules do not change while it runs, and every app built (a test builds
    # hundreds) would otherwise search them all again.
    table: dict[str, Service] = {}
    for operation in operations:
        name = snake_case(operation)
        for module in modules:
            fn = defined_in(module, name)
            if fn is not None:
                table[operation] = fn
                break
    return table
