"""What the user's history, its devices and the operator's GeoIP database say about a sign-in attempt: the
evidence adaptive authentication scores (model/risk_signals.py, whose docstring gives the rules), and the
place of the attempt's address for its event's EventContextData.

Every attempt asks the same statements, whether or not its name is a user's (a name no user has asks for the
history of the empty sub, which has none), so that the answers cost alike (docs/architecture.md, Security
invariants). The failure counts and the place of the last successful sign-in are read through indexes, the
counts capped (store: AuthEventRepo.familiarity and last_success).
"""

from __future__ import annotations

from dataclasses import dataclass

from userpool.context import Ctx
from userpool.model.geo import Place, context_members
from userpool.model.records import Pool, User
from userpool.model.risk_signals import (
    FAILURE_WINDOW_SECONDS,
    AdaptiveSignals,
    adaptive_signals,
    device_identity,
    impossible_travel,
    network_of,
)
from userpool.store.base import Tx


@dataclass(frozen=True, slots=True)
class SignInMarks:
    """What a sign-in's event keeps to recognise its device and network later (AuthEvent ``device`` and
    ``network``)."""

    network: str | None
    device: str | None


def sign_in_marks(context: dict[str, str], device_key: str | None) -> SignInMarks:
    """The marks of a sign-in from ``context`` (EventContextData: its IpAddress and DeviceName, the user agent)
    and the remembered device's key the request presented, if any."""
    return SignInMarks(network_of(context.get("IpAddress")), device_identity(device_key, context.get("DeviceName")))


def place_of(ctx: Ctx, context: dict[str, str]) -> Place | None:
    """Where the operator's GeoIP database places the context's IpAddress; None without one."""
    address = context.get("IpAddress")
    return ctx.deps.geoip.locate(address) if address else None


def with_place(context: dict[str, str], place: Place | None) -> dict[str, str]:
    """``context`` with the City and Country of ``place`` (EventContextData), where it has them."""
    return {**context, **context_members(place)}


def _travel(ctx: Ctx, tx: Tx, pool: Pool, sub: str, here: Place | None) -> bool:
    """Whether this attempt, at ``here``, is impossible travel from the user's last successful sign-in. The
    last sign-in is read only where the attempt has a position: whether it has depends on the address and the
    server's database, never on the name."""
    if here is None or not here.located:
        return False
    last = tx.auth_events.last_success(pool.id, sub)
    if last is None:
        return False
    before = place_of(ctx, last.context)
    return impossible_travel(before, last.created_at, here, ctx.now)


@dataclass(frozen=True, slots=True)
class Attempt:
    """A sign-in attempt as threat protection sees it: its EventContextData (``with_place`` filled in), the
    DEVICE_KEY it presented, and where the GeoIP database places its address (``place_of``)."""

    context: dict[str, str]
    device_key: str | None = None
    here: Place | None = None

    @property
    def marks(self) -> SignInMarks:
        return sign_in_marks(self.context, self.device_key)


def attempt_of(ctx: Ctx, context: dict[str, str], device_key: str | None) -> Attempt:
    """The attempt from ``context`` with the DEVICE_KEY it presented, placed and its City and Country added."""
    here = place_of(ctx, context)
    return Attempt(with_place(context, here), device_key or None, here)


def gather(ctx: Ctx, tx: Tx, pool: Pool, user: User | None, attempt: Attempt) -> AdaptiveSignals:
    """The evidence about ``attempt`` by ``user`` (None: a name no user has)."""
    sub = user.sub if user is not None else ""
    marks = attempt.marks
    history = tx.auth_events.familiarity(
        pool.id,
        sub,
        network=marks.network,
        device=marks.device,
        ip_address=attempt.context.get("IpAddress"),
        since=ctx.now - FAILURE_WINDOW_SECONDS,
    )
    remembered = False
    if attempt.device_key:
        device = tx.devices.get(pool.id, sub, attempt.device_key)
        remembered = device is not None and device.confirmed
    return adaptive_signals(
        history,
        device=marks.device,
        network=marks.network,
        remembered_device=remembered,
        travel=_travel(ctx, tx, pool, sub, attempt.here),
    )
