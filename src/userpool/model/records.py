"""The stored aggregates, as the store hands them to services.

``config`` documents of pools, clients and domains keep Cognito's own (wire) field names, so that what a
client configured is what Describe* echoes, member for member.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from userpool.model.vocabulary import UserStatus

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Pool:
    id: str
    name: str
    config: dict[str, Any]
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class ClientSecret:
    """One secret of an app client: its value, and when it was made (its ClientSecretId is derived from that:
    model/client_secrets.py)."""

    value: str
    created_at: float


@dataclass(frozen=True, slots=True)
class Client:
    """An app client. ``secrets``, oldest first, are the ones it may authenticate with: none for a public
    client, one from CreateUserPoolClient, two while AddUserPoolClientSecret rotates them."""

    id: str
    pool_id: str
    name: str
    secrets: tuple[ClientSecret, ...]
    config: dict[str, Any]
    created_at: float
    updated_at: float

    @property
    def secret(self) -> str | None:
        """The client's oldest secret: what DescribeUserPoolClient shows as ClientSecret, and what the hosted
        pages compute SECRET_HASH with."""
        return self.secrets[0].value if self.secrets else None


@dataclass(frozen=True, slots=True)
class User:
    pool_id: str
    sub: str
    username: str
    username_norm: str
    status: UserStatus
    enabled: bool
    password_hash: str | None
    password_expires_at: float | None
    attributes: dict[str, str]
    created_at: float
    updated_at: float
    aliases: tuple[str, ...] = ()
    mfa: dict[str, Any] = field(default_factory=dict)
    # SRP salt and verifier as hex (docs/srp.md, Enrolment); None for passwords set before SRP was enrolled.
    srp_salt: str | None = None
    srp_verifier: str | None = None
    # AdminDisableProviderForUser with ProviderName Cognito: the user's password no longer signs it in.
    password_sign_in_disabled: bool = False


@dataclass(frozen=True, slots=True)
class Group:
    pool_id: str
    name: str
    description: str | None
    role_arn: str | None
    precedence: int | None
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class Domain:
    domain: str
    pool_id: str
    config: dict[str, Any]
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class ResourceServer:
    pool_id: str
    identifier: str
    name: str
    scopes: list[dict[str, str]]
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """What an operator may see of an outgoing message: its recipient, channel (EMAIL or SMS), delivery state
    and times. Not its text, which holds codes, temporary passwords and links carrying codes."""

    id: int
    pool_id: str | None
    channel: str
    destination: str
    status: str  # pending | sending | sent | failed
    attempts: int
    last_error: str | None
    created_at: float
    next_attempt_at: float
    sent_at: float | None


@dataclass(frozen=True, slots=True)
class OutboxMessage(OutboxEntry):
    """An outgoing message with its text, unsealed: what a sender delivers. ``mail_from`` and ``reply_to``:
    the pool's EmailConfiguration From and ReplyToEmailAddress (None: the server's sender, no Reply-To)."""

    subject: str | None
    body: str
    mail_from: str | None = None
    reply_to: str | None = None


@dataclass(frozen=True, slots=True)
class NewMessage:
    pool_id: str | None
    channel: str
    destination: str
    subject: str | None
    body: str
    mail_from: str | None = None
    reply_to: str | None = None


@dataclass(frozen=True, slots=True)
class AdminKey:
    access_key_id: str
    secret_access_key: str
    description: str | None
    created_at: float


@dataclass(frozen=True, slots=True)
class UserQuery:
    """A parsed ListUsers filter: ``attribute`` is ``username``, ``status``, ``cognito:user_status`` or an
    attribute name; ``prefix`` is True for ``^=``. ``None`` means every user."""

    attribute: str
    value: str
    prefix: bool
