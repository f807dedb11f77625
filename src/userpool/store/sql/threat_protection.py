"""Threat protection's rows: risk configurations per pool and app client (the pool's under client_id ""), and
users' auth events, listed newest first with a keyset cursor on (created_at, event_id), and read by adaptive
authentication through an index per question (threat_protection_tables.py): a seek for "a successful sign-in
from this network / device", capped counts of recent failures per user and per IP address, the newest
successful sign-in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from userpool.model.auth_events import (
    AuthEvent,
    ChallengeKind,
    ChallengeResult,
    EventResponse,
    EventType,
    FeedbackValue,
    RiskDecision,
    RiskLevel,
)
from userpool.model.records import Page
from userpool.model.risk_configuration import RiskConfiguration
from userpool.model.risk_signals import FAILURE_COUNT_CAP, SignInHistory
from userpool.store.sql.config_cache import CachedRead, ConfigReads
from userpool.store.sql.rows import conflicts_as, keyset_page
from userpool.store.sql.threat_protection_tables import auth_events, risk_configurations

_r = risk_configurations.c
_e = auth_events.c
_ADDRESS_LENGTH = 64
_SIGN_IN = EventType.SignIn.value
_PASS = EventResponse.Pass.value
_FAIL = EventResponse.Fail.value
POOL_LEVEL = ""


# The client's own configuration sorts before the pool's "". Read by every sign-in of a pool with threat
# protection: kept per process, a client without one of its own too, until the configuration generation changes.
_FOR_CLIENT = (
    sa.select(risk_configurations)
    .where(_r.pool_id == sa.bindparam("pool_id"), _r.client_id.in_([sa.bindparam("client_id"), POOL_LEVEL]))
    .order_by(_r.client_id.desc())
    .limit(1)
)
_CACHED_FOR_CLIENT = CachedRead(_FOR_CLIENT, keep_absent=True)


def _risk_configuration(row: Any) -> RiskConfiguration:
    return RiskConfiguration(row.pool_id, row.client_id or None, dict(row.config), row.updated_at)


def _first_configuration(rows: Sequence[Any]) -> RiskConfiguration | None:
    return _risk_configuration(rows[0]) if rows else None


class SqlRiskConfigurationRepo:
    def __init__(self, conn: sa.Connection, config: ConfigReads | None = None) -> None:
        self._conn = conn
        self._config = config

    def put(self, config: RiskConfiguration) -> None:
        key = config.client_id or POOL_LEVEL
        self._conn.execute(risk_configurations.delete().where(_r.pool_id == config.pool_id, _r.client_id == key))
        self._conn.execute(
            risk_configurations.insert().values(
                pool_id=config.pool_id, client_id=key, config=config.config, updated_at=config.updated_at
            )
        )

    def get(self, pool_id: str, client_id: str | None) -> RiskConfiguration | None:
        query = sa.select(risk_configurations).where(_r.pool_id == pool_id, _r.client_id == (client_id or POOL_LEVEL))
        row = self._conn.execute(query).first()
        return _risk_configuration(row) if row else None

    def for_client(self, pool_id: str, client_id: str | None) -> RiskConfiguration | None:
        params = {"pool_id": pool_id, "client_id": client_id or POOL_LEVEL}
        if self._config is not None:
            return self._config.fetch(_CACHED_FOR_CLIENT, params, _first_configuration)
        return _first_configuration(self._conn.execute(_FOR_CLIENT, params).all())

    def delete(self, pool_id: str, client_id: str | None) -> bool:
        deleted = self._conn.execute(
            risk_configurations.delete().where(_r.pool_id == pool_id, _r.client_id == (client_id or POOL_LEVEL))
        ).rowcount
        return bool(deleted)


def _event(row: Any) -> AuthEvent:
    return AuthEvent(
        pool_id=row.pool_id,
        sub=row.sub,
        event_id=row.event_id,
        event_type=EventType(row.event_type),
        created_at=row.created_at,
        response=EventResponse(row.response),
        risk_decision=RiskDecision(row.risk_decision),
        risk_level=RiskLevel(row.risk_level) if row.risk_level else None,
        compromised=bool(row.compromised),
        challenges=tuple((ChallengeKind(k), ChallengeResult(r)) for k, r in row.challenges),
        context=dict(row.context),
        client_id=row.client_id,
        feedback_value=FeedbackValue(row.feedback_value) if row.feedback_value else None,
        feedback_provider=row.feedback_provider,
        feedback_at=row.feedback_at,
        feedback_token_hash=row.feedback_token_hash,
        link_hash=row.link_hash,
        network=row.network,
        device=row.device,
    )


def _mutable(event: AuthEvent) -> dict[str, Any]:
    return {
        "client_id": event.client_id,
        "response": event.response.value,
        "risk_decision": event.risk_decision.value,
        "risk_level": event.risk_level.value if event.risk_level else None,
        "compromised": event.compromised,
        "challenges": [[kind.value, result.value] for kind, result in event.challenges],
        "context": dict(event.context),
        "feedback_value": event.feedback_value.value if event.feedback_value else None,
        "feedback_provider": event.feedback_provider,
        "feedback_at": event.feedback_at,
        "feedback_token_hash": event.feedback_token_hash,
        "link_hash": event.link_hash,
        "network": event.network,
        "device": event.device,
        "ip_address": _indexed_address(event.context.get("IpAddress")),
    }


def _indexed_address(address: str | None) -> str | None:
    """The context's IpAddress as the column keeps it: an address longer than the column (an IPv6 address with
    a long zone) is not counted by."""
    return address if address and len(address) <= _ADDRESS_LENGTH else None


def _cursor(row: Any) -> str:
    # repr() of a float reads back as the same float, so the cursor names the row's time exactly.
    return f"{row.created_at!r} {row.event_id}"


class SqlAuthEventRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, event: AuthEvent) -> None:
        with conflicts_as({}, "event_id"):
            self._conn.execute(
                auth_events.insert().values(
                    pool_id=event.pool_id,
                    event_id=event.event_id,
                    sub=event.sub,
                    event_type=event.event_type.value,
                    created_at=event.created_at,
                    **_mutable(event),
                )
            )

    def get(self, pool_id: str, event_id: str) -> AuthEvent | None:
        row = self._conn.execute(sa.select(auth_events).where(_e.pool_id == pool_id, _e.event_id == event_id)).first()
        return _event(row) if row else None

    def by_link(self, pool_id: str, link_hash: str) -> AuthEvent | None:
        query = sa.select(auth_events).where(_e.pool_id == pool_id, _e.link_hash == link_hash).limit(1)
        row = self._conn.execute(query).first()
        return _event(row) if row else None

    def of_user(self, pool_id: str, sub: str, limit: int, after: str | None) -> Page[AuthEvent]:
        where = [_e.pool_id == pool_id, _e.sub == sub]
        if after is not None:
            at_text, _, event_id = after.partition(" ")
            at = float(at_text)
            where.append(sa.or_(_e.created_at < at, sa.and_(_e.created_at == at, _e.event_id < event_id)))
        query = sa.select(auth_events).where(*where).order_by(_e.created_at.desc(), _e.event_id.desc()).limit(limit + 1)
        return keyset_page(self._conn.execute(query).all(), limit, _event, _cursor)

    def update(self, event: AuthEvent) -> bool:
        updated = self._conn.execute(
            auth_events.update()
            .where(_e.pool_id == event.pool_id, _e.event_id == event.event_id)
            .values(**_mutable(event))
        ).rowcount
        return bool(updated == 1)

    def delete_expired(self, before: float) -> None:
        self._conn.execute(auth_events.delete().where(_e.created_at < before))

    def familiarity(
        self,
        pool_id: str,
        sub: str,
        *,
        network: str | None,
        device: str | None,
        ip_address: str | None,
        since: float,
    ) -> SignInHistory:
        successes = (_e.pool_id == pool_id, _e.sub == sub, _e.event_type == _SIGN_IN, _e.response == _PASS)
        failed = (_e.event_type == _SIGN_IN, _e.response == _FAIL, _e.created_at >= since)
        address = _indexed_address(ip_address)
        query = sa.select(
            _exists(*successes, _e.network.is_not(None)).label("networks"),
            (_exists(*successes, _e.network == network) if network else sa.false()).label("network_seen"),
            _exists(*successes, _e.device.is_not(None)).label("devices"),
            (_exists(*successes, _e.device == device) if device else sa.false()).label("device_seen"),
            _capped_count(_e.pool_id == pool_id, _e.sub == sub, *failed).label("user_failures"),
            (
                _capped_count(_e.pool_id == pool_id, _e.ip_address == address, *failed) if address else sa.literal(0)
            ).label("ip_failures"),
        )
        row = self._conn.execute(query).one()
        return SignInHistory(
            networks=bool(row.networks),
            network_seen=bool(row.network_seen),
            devices=bool(row.devices),
            device_seen=bool(row.device_seen),
            user_failures=int(row.user_failures),
            ip_failures=int(row.ip_failures),
        )

    def last_success(self, pool_id: str, sub: str) -> AuthEvent | None:
        query = (
            sa.select(auth_events)
            .where(_e.pool_id == pool_id, _e.sub == sub, _e.event_type == _SIGN_IN, _e.response == _PASS)
            .order_by(_e.created_at.desc())
            .limit(1)
        )
        row = self._conn.execute(query).first()
        return _event(row) if row else None


def _exists(*where: Any) -> Any:
    return sa.exists(sa.select(sa.literal(1)).select_from(auth_events).where(*where))


def _capped_count(*where: Any) -> Any:
    """How many rows match, counted up to FAILURE_COUNT_CAP: the index range read stops there."""
    rows = sa.select(sa.literal(1).label("one")).select_from(auth_events).where(*where).limit(FAILURE_COUNT_CAP)
    return sa.select(sa.func.count()).select_from(rows.subquery()).scalar_subquery()
