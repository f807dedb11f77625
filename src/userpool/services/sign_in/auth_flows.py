"""InitiateAuth and AdminInitiateAuth: the AuthFlow table (AWS: InitiateAuth API reference, AuthFlow; Cognito developer
guide: 'Authentication flows').

The flow is looked up in a table, checked against the operation (admin flows only through the SigV4-signed
AdminInitiateAuth) and against the client's ExplicitAuthFlows, then run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException, UnsupportedOperationException
from userpool.model.client_config import effective_auth_flows
from userpool.model.risk_assessment import challenge_kind
from userpool.model.vocabulary import AuthFlow, ExplicitAuthFlow
from userpool.services.lookup.app_clients import app_client
from userpool.services.lookup.records import client_or_404, pool_or_404
from userpool.services.sign_in.steps.calls import FlowCall
from userpool.services.sign_in.steps.custom_auth import custom_sign_in
from userpool.services.sign_in.steps.password_auth import password_sign_in
from userpool.services.sign_in.steps.refresh_auth import refresh_reads, refresh_sign_in
from userpool.services.sign_in.steps.sign_in_counts import counted, response_result
from userpool.services.sign_in.steps.srp_auth import srp_reads, srp_sign_in
from userpool.services.sign_in.steps.user_auth import user_auth_sign_in
from userpool.services.threat_protection.steps import sign_in_watch
from userpool.store.base import Tx

PUBLIC, ADMIN, BOTH = "public", "admin", "both"


@dataclass(frozen=True, slots=True)
class Flow:
    run: Callable[[Ctx, FlowCall], dict[str, Any]]
    permission: str  # the ALLOW_* value of ExplicitAuthFlows that enables it
    where: str  # which of InitiateAuth (public) / AdminInitiateAuth (admin) accepts it
    # The flow's first reads (and the checks before them), made in the transaction that found the client: one
    # transaction less. What it returns is the call's ``ahead``.
    read_ahead: Callable[[Ctx, Tx, FlowCall], object] | None = None


FLOWS: dict[str, Flow] = {
    AuthFlow.USER_PASSWORD_AUTH: Flow(password_sign_in, ExplicitAuthFlow.ALLOW_USER_PASSWORD_AUTH, PUBLIC),
    AuthFlow.USER_SRP_AUTH: Flow(srp_sign_in, ExplicitAuthFlow.ALLOW_USER_SRP_AUTH, BOTH, srp_reads),
    AuthFlow.ADMIN_USER_PASSWORD_AUTH: Flow(password_sign_in, ExplicitAuthFlow.ALLOW_ADMIN_USER_PASSWORD_AUTH, ADMIN),
    # The legacy name of ADMIN_USER_PASSWORD_AUTH; pycognito still sends it.
    AuthFlow.ADMIN_NO_SRP_AUTH: Flow(password_sign_in, ExplicitAuthFlow.ALLOW_ADMIN_USER_PASSWORD_AUTH, ADMIN),
    AuthFlow.REFRESH_TOKEN_AUTH: Flow(refresh_sign_in, ExplicitAuthFlow.ALLOW_REFRESH_TOKEN_AUTH, BOTH, refresh_reads),
    AuthFlow.REFRESH_TOKEN: Flow(refresh_sign_in, ExplicitAuthFlow.ALLOW_REFRESH_TOKEN_AUTH, BOTH, refresh_reads),
    AuthFlow.CUSTOM_AUTH: Flow(custom_sign_in, ExplicitAuthFlow.ALLOW_CUSTOM_AUTH, BOTH),
    # ALLOW_USER_AUTH alone permits its password and SRP choices (ExplicitAuthFlows in the CreateUserPoolClient API
    # reference).
    AuthFlow.USER_AUTH: Flow(user_auth_sign_in, ExplicitAuthFlow.ALLOW_USER_AUTH, BOTH),
}
# Valid in the other operation only (AWS: AdminInitiateAuth API reference, AuthFlow).
_ADMIN_ONLY = frozenset({AuthFlow.ADMIN_USER_PASSWORD_AUTH, AuthFlow.ADMIN_NO_SRP_AUTH})
_PUBLIC_ONLY = frozenset({AuthFlow.USER_PASSWORD_AUTH})
# Refreshing tokens is no sign-in: threat protection neither assesses nor records it.
_REFRESH = frozenset({AuthFlow.REFRESH_TOKEN_AUTH, AuthFlow.REFRESH_TOKEN})


def _flow(call: FlowCall, auth_flow: str) -> Flow:
    """The flow ``auth_flow`` names, if this operation and the call's client allow it."""
    if auth_flow in (_PUBLIC_ONLY if call.admin else _ADMIN_ONLY):
        raise InvalidParameterException("Initiate Auth method not supported.")
    flow = FLOWS.get(auth_flow)
    if flow is None:
        raise UnsupportedOperationException(f"{auth_flow} is not implemented by userpool yet.")
    if flow.permission not in effective_auth_flows(call.client.config):
        raise InvalidParameterException(f"{auth_flow} flow not enabled for this client")
    return flow


def _prepared(ctx: Ctx, tx: Tx, call: FlowCall, auth_flow: str) -> tuple[FlowCall, Flow]:
    """In the transaction that found the client: the flow, and the call with what the flow reads ahead."""
    flow = _flow(call, auth_flow)
    if flow.read_ahead is None:
        return call, flow
    return replace(call, ahead=flow.read_ahead(ctx, tx, call)), flow


def _start(ctx: Ctx, call: FlowCall, flow: Flow, auth_flow: str, req: dict[str, Any]) -> dict[str, Any]:
    custom = auth_flow == AuthFlow.CUSTOM_AUTH
    if auth_flow in _REFRESH or not sign_in_watch.watched(call.pool, custom):
        return flow.run(ctx, call)
    # Threat protection: the attempt is assessed (and may be refused) before its first step, and recorded.
    context = sign_in_watch.request_context(ctx, call.client, req, admin=call.admin)
    username, device_key = call.params.get("USERNAME"), call.params.get("DEVICE_KEY")
    watch = sign_in_watch.start(ctx, call.pool, call.client, username, context, custom=custom, device_key=device_key)
    kind = challenge_kind(None, call.params, ())
    return sign_in_watch.run(ctx, watch, kind, lambda c: flow.run(c, call), sign_in_watch.api_progress)


def _params(req: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (req.get("AuthParameters") or {}).items()}


def initiate_auth(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Start a sign-in from an app (unsigned; the ClientId names pool and client): InitiateAuth."""

    def step() -> dict[str, Any]:
        with ctx.store.read() as tx:
            pool, client = app_client(tx, req["ClientId"])
            call = FlowCall(pool, client, _params(req), admin=False, client_metadata=req.get("ClientMetadata"))
            call, flow = _prepared(ctx, tx, call, req["AuthFlow"])
        return _start(ctx, call, flow, req["AuthFlow"], req)

    return counted(ctx, req["AuthFlow"], step, response_result)


def admin_initiate_auth(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Start a sign-in from a trusted back end (SigV4): AdminInitiateAuth."""

    def step() -> dict[str, Any]:
        with ctx.store.read() as tx:
            pool = pool_or_404(tx, req["UserPoolId"])
            client = client_or_404(tx, pool.id, req["ClientId"])
            call = FlowCall(pool, client, _params(req), admin=True, client_metadata=req.get("ClientMetadata"))
            call, flow = _prepared(ctx, tx, call, req["AuthFlow"])
        return _start(ctx, call, flow, req["AuthFlow"], req)

    return counted(ctx, req["AuthFlow"], step, response_result)
