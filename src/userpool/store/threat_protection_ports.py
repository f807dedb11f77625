"""The storage port of threat protection (store/base.py's Tx hangs these repositories on a transaction): the
risk configurations of pools and app clients, and users' auth event histories. Errors are base.py's NotFound
and Conflict."""

from __future__ import annotations

from typing import Protocol

from userpool.model.auth_events import AuthEvent
from userpool.model.records import Page
from userpool.model.risk_configuration import RiskConfiguration
from userpool.model.risk_signals import SignInHistory


class RiskConfigurationRepo(Protocol):
    """Risk configurations by (pool, client): the pool's has ``client_id`` None. They go with their pool."""

    def put(self, config: RiskConfiguration) -> None:
        """Store ``config``, replacing what its pool or client had."""
        ...

    def get(self, pool_id: str, client_id: str | None) -> RiskConfiguration | None:
        """The configuration set for exactly this client (None: the pool's own)."""
        ...

    def for_client(self, pool_id: str, client_id: str | None) -> RiskConfiguration | None:
        """The configuration that applies to sign-ins through ``client_id``: its own, else the pool's, read in
        one statement; the pool's for None."""
        ...

    def delete(self, pool_id: str, client_id: str | None) -> bool:
        """Forget the configuration of this client (None: the pool's); True when there was one."""
        ...


class AuthEventRepo(Protocol):
    """Users' auth events by (pool, event id); they go with their user."""

    def add(self, event: AuthEvent) -> None:
        """Insert ``event``; Conflict("event_id") when the pool has one with its id."""
        ...

    def get(self, pool_id: str, event_id: str) -> AuthEvent | None: ...
    def by_link(self, pool_id: str, link_hash: str) -> AuthEvent | None:
        """The event whose open challenge has this ``link_hash`` (the digest of its Session)."""
        ...

    def of_user(self, pool_id: str, sub: str, limit: int, after: str | None) -> Page[AuthEvent]:
        """A page of the user's events, newest first (ties in event id order, descending); ``after`` is the
        cursor a previous page returned."""
        ...

    def update(self, event: AuthEvent) -> bool:
        """Replace what is stored for the event's (pool, id): its outcome, risk, challenges, context, link and
        feedback (user, type and creation date stay); False when it is gone."""
        ...

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
        """What the user's successful sign-ins say of ``network`` and ``device`` (None: nothing to compare),
        and how many failed sign-ins the user, and anyone from ``ip_address`` in the pool, had since ``since``
        (each counted up to FAILURE_COUNT_CAP), in one statement through indexes."""
        ...

    def last_success(self, pool_id: str, sub: str) -> AuthEvent | None:
        """The user's newest successful sign-in."""
        ...

    def delete_expired(self, before: float) -> None:
        """Delete every pool's events created before ``before``."""
        ...
