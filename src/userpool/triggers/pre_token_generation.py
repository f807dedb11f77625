"""PreTokenGeneration: the function adds, changes and suppresses claims (and, V2_0 / V3_0, scopes) of the
tokens about to be signed.

Cognito developer guide: 'Pre token generation Lambda trigger'. The event version follows
``PreTokenGenerationConfig.LambdaVersion`` (a legacy ``PreTokenGeneration`` ARN is V1_0): V1_0 events carry ``version``
"1" and are answered with ``claimsOverrideDetails``; V2_0 and V3_0 events carry "2" / "3" and the ``scopes`` the access
token would have, and are answered with ``claimsAndScopeOverrideDetails``. ``groupConfiguration`` holds the user's
groups, their IAM roles and the preferred role. Members of the wrong JSON type are InvalidLambdaResponseException; a
null answer changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from userpool.errors import InvalidLambdaResponseException
from userpool.model.claim_overrides import ClaimOverrides, GroupOverride, TokenChanges
from userpool.model.claims import ordered_groups, preferred_role
from userpool.model.records import Group, Pool, User
from userpool.triggers.events import envelope, string_map, user_attributes
from userpool.triggers.invoke import INVALID_RESPONSE, invoke
from userpool.triggers.lambda_config import Trigger, configured, lambda_version
from userpool.triggers.sources import Source
from userpool.triggers.transport import TriggerFunctions

V1_MEMBER = "claimsOverrideDetails"
V2_MEMBER = "claimsAndScopeOverrideDetails"
_EVENT_VERSIONS = {"V1_0": "1", "V2_0": "2", "V3_0": "3"}


def _invalid() -> InvalidLambdaResponseException:
    return InvalidLambdaResponseException(INVALID_RESPONSE)


def _object(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _invalid()
    return value


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid()
    return tuple(value)


def _claims(value: Any, plain_strings: bool) -> dict[str, Any]:
    """claimsToAddOrOverride: V1_0 maps names to strings; V2_0 values may be any JSON value (a null one sets
    nothing)."""
    found = _object(value) or {}
    claims: dict[str, Any] = {}
    for name, claim in found.items():
        if claim is None:
            continue
        if plain_strings and not isinstance(claim, str):
            raise _invalid()
        claims[name] = claim
    return claims


def _group_override(value: Any) -> GroupOverride | None:
    found = _object(value)
    if found is None:
        return None
    role = found.get("preferredRole")
    if role is not None and not isinstance(role, str):
        raise _invalid()
    return GroupOverride(_strings(found.get("groupsToOverride")), _strings(found.get("iamRolesToOverride")), role)


def _token_changes(value: Any, plain_strings: bool) -> TokenChanges:
    found = _object(value) or {}
    suppress = frozenset(_strings(found.get("claimsToSuppress")))
    return TokenChanges(_claims(found.get("claimsToAddOrOverride"), plain_strings), suppress)


def v1_overrides(response: dict[str, Any]) -> ClaimOverrides | None:
    """The changes of a V1_0 answer: ID-token claims, and the groups of both tokens."""
    details = _object(response.get(V1_MEMBER))
    if details is None:
        return None
    return ClaimOverrides(
        id_token=_token_changes(details, plain_strings=True),
        groups=_group_override(details.get("groupOverrideDetails")),
    )


def v2_overrides(response: dict[str, Any]) -> ClaimOverrides | None:
    """The changes of a V2_0 / V3_0 answer: claims of both tokens, the access token's scopes, the groups."""
    details = _object(response.get(V2_MEMBER))
    if details is None:
        return None
    access = _object(details.get("accessTokenGeneration")) or {}
    return ClaimOverrides(
        id_token=_token_changes(details.get("idTokenGeneration"), plain_strings=False),
        access_token=_token_changes(access, plain_strings=False),
        scopes_to_add=_strings(access.get("scopesToAdd")),
        scopes_to_suppress=frozenset(_strings(access.get("scopesToSuppress"))),
        groups=_group_override(details.get("groupOverrideDetails")),
    )


def group_configuration(groups: Iterable[Group]) -> dict[str, Any]:
    """``request.groupConfiguration``: the groups as the tokens would name them, their roles, the preferred
    role (null when there is none)."""
    ordered = ordered_groups(groups)
    return {
        "groupsToOverride": [g.name for g in ordered],
        "iamRolesToOverride": list(dict.fromkeys(g.role_arn for g in ordered if g.role_arn)),
        "preferredRole": preferred_role(ordered),
    }


def pre_token_generation(
    functions: TriggerFunctions,
    pool: Pool,
    user: User,
    groups: Iterable[Group],
    source: Source,
    *,
    client_id: str,
    scopes: Iterable[str],
    client_metadata: Mapping[str, Any] | None,
) -> ClaimOverrides | None:
    """What the pool's PreTokenGeneration function changes in ``user``'s tokens; None when nothing."""
    if not configured(pool, Trigger.PRE_TOKEN_GENERATION):
        return None
    version = lambda_version(pool, Trigger.PRE_TOKEN_GENERATION)
    v1 = version not in ("V2_0", "V3_0")
    request: dict[str, Any] = {
        "userAttributes": user_attributes(user),
        "groupConfiguration": group_configuration(groups),
    }
    if not v1:
        request["scopes"] = list(scopes)
    request["clientMetadata"] = string_map(client_metadata)
    member = V1_MEMBER if v1 else V2_MEMBER
    event = envelope(
        pool,
        source,
        user.username,
        client_id,
        request,
        {member: None},
        version=_EVENT_VERSIONS.get(version, "1"),
    )
    answer = invoke(functions, pool, Trigger.PRE_TOKEN_GENERATION, event)
    return v1_overrides(answer) if v1 else v2_overrides(answer)
