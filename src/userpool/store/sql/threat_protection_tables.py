"""The schema's tables of threat protection: the risk configurations of pools and app clients, and users' auth
event histories. tables.py imports them, so its metadata holds the whole schema."""

from __future__ import annotations

import sqlalchemy as sa

from userpool.store.sql.columns import EPOCH_SECONDS as _time
from userpool.store.sql.columns import JSON as _json
from userpool.store.sql.columns import metadata

# SetRiskConfiguration's document (model/risk_configuration.py) per pool and app client; ``client_id`` is ""
# for the pool's own, which applies to every client without one. DeleteUserPoolClient deletes a client's.
risk_configurations = sa.Table(
    "risk_configurations",
    metadata,
    sa.Column("pool_id", sa.String(55), sa.ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("client_id", sa.String(128), primary_key=True),
    sa.Column("config", _json, nullable=False),
    sa.Column("updated_at", _time, nullable=False),
)

# A user's auth events (model/auth_events.py), recorded while the pool's AdvancedSecurityMode is AUDIT or
# ENFORCED and deleted after the retention the settings give. Listed newest first per user (the index), and
# deleted by age across pools (the created_at index). The feedback token of a notification is kept only as
# its SHA-256.
auth_events = sa.Table(
    "auth_events",
    metadata,
    sa.Column("pool_id", sa.String(55), primary_key=True),
    sa.Column("event_id", sa.String(50), primary_key=True),
    sa.Column("sub", sa.String(36), nullable=False),
    sa.Column("client_id", sa.String(128), nullable=True),
    sa.Column("event_type", sa.String(16), nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("response", sa.String(16), nullable=False),
    sa.Column("risk_decision", sa.String(16), nullable=False),
    sa.Column("risk_level", sa.String(8), nullable=True),
    sa.Column("compromised", sa.Boolean, nullable=False),
    sa.Column("challenges", _json, nullable=False),
    sa.Column("context", _json, nullable=False),
    sa.Column("feedback_value", sa.String(8), nullable=True),
    sa.Column("feedback_provider", sa.String(32), nullable=True),
    sa.Column("feedback_at", _time, nullable=True),
    sa.Column("feedback_token_hash", sa.String(64), nullable=True),
    # The digest of the Session of the sign-in's open challenge (migration 0022), by which its next step finds
    # the event.
    sa.Column("link_hash", sa.String(64), nullable=True),
    # What adaptive authentication asks of the history (migration 0023; threat_protection.py): the
    # network and device an event's sign-in came from (model/risk_signals.py), and a copy of its context's
    # IpAddress to count an address's failures by.
    sa.Column("network", sa.String(64), nullable=True),
    sa.Column("device", sa.String(64), nullable=True),
    sa.Column("ip_address", sa.String(64), nullable=True),
    sa.ForeignKeyConstraint(
        ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_auth_events_user"
    ),
    sa.Index(None, "pool_id", "sub", "created_at", "event_id"),
    sa.Index(None, "created_at"),
    sa.Index(None, "pool_id", "link_hash"),
    # A user's outcomes by time (its last successful sign-in, its recent failures), whether a network or device
    # is among its successful sign-ins', and an address's recent failures in a pool: each an index seek.
    sa.Index("ix_auth_events_outcomes", "pool_id", "sub", "event_type", "response", "created_at"),
    sa.Index("ix_auth_events_networks", "pool_id", "sub", "event_type", "response", "network"),
    sa.Index("ix_auth_events_devices", "pool_id", "sub", "event_type", "response", "device"),
    sa.Index("ix_auth_events_addresses", "pool_id", "ip_address", "event_type", "response", "created_at"),
)
