"""The risk-assessment step every sign-in of a protected pool passes through (Cognito developer guide:
'Adaptive authentication', 'IP address exceptions').

``assess_sign_in`` gathers the signals (``sign_in_signals``: the effective configuration's IP exception lists,
and what the user's history, its devices and the GeoIP database say, adaptive_signals.py), turns them into a
level (model/risk_assessment.py ``risk_level``) and asks the pool's mode and configured response for a
decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from userpool.context import Ctx
from userpool.model.records import Client, Pool, User
from userpool.model.risk_assessment import Assessment, SignInSignals, decide, in_ranges, risk_level
from userpool.model.risk_configuration import (
    NO_TAKEOVER_ACTION,
    RiskConfiguration,
    blocked_ranges,
    skipped_ranges,
    takeover_action,
)
from userpool.services.threat_protection.steps.adaptive_signals import Attempt, gather
from userpool.store.base import Tx


@dataclass(frozen=True, slots=True)
class Assessed:
    """An assessment and the risk configuration it was made under (its notice templates, for one)."""

    assessment: Assessment
    config: RiskConfiguration | None


def sign_in_signals(
    ctx: Ctx,
    tx: Tx,
    pool: Pool,
    user: User | None,
    attempt: Attempt,
    config: RiskConfiguration | None,
) -> SignInSignals:
    """What is known about this sign-in ``attempt`` by ``user`` (None: a name no user has). An address of the
    exception lists needs nothing more; any other attempt is scored by adaptive authentication, whose evidence
    is read whatever the name (adaptive_signals.py)."""
    address = attempt.context.get("IpAddress", "")
    blocked = in_ranges(address, blocked_ranges(config))
    skipped = in_ranges(address, skipped_ranges(config))
    if blocked or skipped:
        return SignInSignals(ip_address=address, blocked_ip=blocked, skipped_ip=skipped)
    return SignInSignals(ip_address=address, adaptive=gather(ctx, tx, pool, user, attempt))


def assess_sign_in(
    ctx: Ctx, tx: Tx, pool: Pool, client: Client, user: User | None, attempt: Attempt, mode: str
) -> Assessed:
    """The risk level and decision of a sign-in ``attempt`` through ``client`` protected in ``mode`` (AUDIT or
    ENFORCED), under the client's risk configuration, else the pool's."""
    config = tx.risk_configurations.for_client(pool.id, client.id)
    signals = sign_in_signals(ctx, tx, pool, user, attempt, config)
    level = risk_level(signals)
    action = takeover_action(config, level) if level is not None else NO_TAKEOVER_ACTION
    return Assessed(decide(mode, signals, level, action), config)
