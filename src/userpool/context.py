"""What a service function is handed: long-lived dependencies and the facts of one call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from userpool.breached.port import BreachedPasswords
from userpool.clock import Clock
from userpool.config import Settings
from userpool.crypto.idp_key_sets import IdpKeySets
from userpool.crypto.jwt import KeyCache
from userpool.crypto.passwords import PasswordHasher
from userpool.crypto.verified_tokens import VerifiedTokens
from userpool.delivery.logs.port import LogShipper, NoLogShipper
from userpool.geoip.port import GeoIp, NoGeoIp
from userpool.import_files.port import ImportFiles, NoImportFiles
from userpool.model.paging import PageTokens
from userpool.model.risk_assessment import EventNote, RiskResponse
from userpool.monitoring.port import NO_METRICS, Metrics
from userpool.outbound.port import OutboundHttp
from userpool.outbound.sts_port import NoSts, SecurityTokenService
from userpool.store.base import Store
from userpool.triggers.transport import TriggerFunctions


@dataclass(frozen=True, slots=True)
class Deps:
    """Built once by ``app.create_app``; shared by every request."""

    settings: Settings
    store: Store
    clock: Clock
    hasher: PasswordHasher
    page_tokens: PageTokens
    # Keys the stored digests of one-time codes (crypto/codes.py); derived from the server secret.
    code_key: bytes
    # The pools' Lambda functions, each with the transport app.py chose for it (in process or a webhook).
    triggers: TriggerFunctions
    # The server's own calls to identity providers (discovery, token, userinfo, JWKS); app.py chose the adapter.
    outbound: OutboundHttp
    # Passwords known from breaches: the built-in list and the imported corpus (app.py chose the adapter).
    breached_passwords: BreachedPasswords
    # What the server counts for its metrics (monitoring/port.py); app.py chose the adapter, or none.
    metrics: Metrics = NO_METRICS
    # Wakes the outbox dispatcher after a transaction that queued messages has committed.
    wake_outbox: Callable[[], None] = field(default=lambda: None)
    # Where pools' log events go (SetLogDeliveryConfiguration): queued, delivered off the request path to the
    # sinks app.py chose from the settings.
    logs: LogShipper = field(default_factory=NoLogShipper)
    # Parsed token signing/verification keys by kid: a key is never parsed again per request (docs/architecture.md,
    # Hot-path rules).
    jwt_keys: KeyCache = field(default_factory=KeyCache)
    # Tokens whose signature was verified already, with their claims: a token used again is not verified again
    # (its key id, claims and everything after them still are checked).
    verified_tokens: VerifiedTokens = field(default_factory=VerifiedTokens)
    # Places of IP addresses, from the operator's GeoIP database when the settings name one (app.py chose the
    # adapter); without one, no address has a place.
    geoip: GeoIp = field(default_factory=NoGeoIp)
    # Identity providers' signing keys by jwks_uri, fetched when needed (services/federation/steps/idp_keys.py).
    idp_keys: IdpKeySets = field(default_factory=IdpKeySets)
    # The CSV files of user import jobs, kept between their upload and their import (app.py chose the adapter).
    import_files: ImportFiles = field(default_factory=NoImportFiles)
    # Wakes this process's import worker after a job was started.
    wake_imports: Callable[[], None] = field(default=lambda: None)
    # The Security Token Service identity pools get credentials from (app.py chose the adapter and endpoint).
    sts: SecurityTokenService = field(default_factory=NoSts)


@dataclass(frozen=True, slots=True)
class Ctx:
    """One API call: its dependencies, id, time, and the region/caller from its signature."""

    deps: Deps
    request_id: str
    now: float
    region: str
    caller: str = ""
    # The peer address of the request (a device's last_ip_used); empty where there is none.
    source_ip: str = ""
    # The request's User-Agent: the device of a public call's user (threat protection's DeviceName, session
    # management's DeviceType); empty where there is none.
    user_agent: str = ""
    # What ENFORCED threat protection asks of the sign-in this call carries on (an MFA step for its risk);
    # set by services/threat_protection/steps/sign_in_watch.py around the sign-in's step.
    risk_response: RiskResponse | None = None
    # Where the steps of a call that records an auth event note what they learn for it (compromised
    # credentials); None where no event is being recorded.
    event_note: EventNote | None = None

    @property
    def store(self) -> Store:
        return self.deps.store

    @property
    def settings(self) -> Settings:
        return self.deps.settings

    @property
    def triggers(self) -> TriggerFunctions:
        return self.deps.triggers

    @property
    def outbound(self) -> OutboundHttp:
        return self.deps.outbound

    @property
    def metrics(self) -> Metrics:
        return self.deps.metrics
