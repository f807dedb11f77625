"""The risk-assessment step every sign-in of a protected pool passes through (Cognito developer guide:
'Adaptive authentication', 'IP address exceptions').

``assess_sign_in`` gathers the signals (``sign_in_signals``: today the effective configuration's IP exception
lists; the place to add what the user's history, the device or a GeoIP database say), turns them into a level
(model/risk_assessment.py ``risk_level``) and asks the pool's mode and configured response for a decision.
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
from userpool.store.base import Tx


@dataclass(frozen=True, slots=True)
class Assessed:
    """An assessment and the risk configuration it was made under (its notice templates, for one)."""

    assessment: Assessment
    config: RiskConfiguration | None


def sign_in_signals(
    ctx: Ctx, tx: Tx, pool: Pool, user: User | None, context: dict[str, str], config: RiskConfiguration | None
) -> SignInSignals:
    """What is known about this sign-in attempt by ``user`` (None: a name no user has) from ``context``
    (EventContextData)."""
    address = context.get("IpAddress", "")
    return SignInSignals(
        ip_address=address,
        blocked_ip=in_ranges(address, blocked_ranges(config)),
        skipped_ip=in_ranges(address, skipped_ranges(config)),
    )


def assess_sign_in(
    ctx: Ctx, tx: Tx, pool: Pool, client: Client, user: User | None, context: dict[str, str], mode: str
) -> Assessed:
    """The risk level and decision of a sign-in through ``client`` protected in ``mode`` (AUDIT or ENFORCED),
    under the client's risk configuration, else the pool's."""
    config = tx.risk_configurations.for_client(pool.id, client.id)
    signals = sign_in_signals(ctx, tx, pool, user, context, config)
    level = risk_level(signals)
    action = takeover_action(config, level) if level is not None else NO_TAKEOVER_ACTION
    return Assessed(decide(mode, signals, level, action), config)
