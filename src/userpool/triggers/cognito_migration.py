"""A UserMigration function built in: users of an Amazon Cognito user pool move in the first time they sign in
here, with the password they already have (README "Leaving Amazon Cognito (live migration)").

Cognito never exports password hashes, so the only way out without resetting everyone's password is the one its
developer guide describes for any directory ('Importing users with a user migration Lambda trigger'): when a
name no user has signs in with a password, ask the old directory whether the password is right, and copy the
user. This module is that function, reached like any other target through the port of ``transport.py``
(``app.py`` gives it to every ``cognito-migration`` target); the source pool is the target's ``source``
(``migration_settings.py``), and ``cognito_source.py`` makes the calls.

UserMigration_Authentication (a sign-in with the password: USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, the
hosted pages):

1. AdminGetUser: the source user, its attributes and MFA factors; a name the source does not know ends here.
2. The password, checked by signing in to the source: AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH, or,
   where the source's app client allows only SRP (it refuses that flow, or ``auth_flow`` says so), InitiateAuth
   with USER_SRP_AUTH and RespondToAuthChallenge with PASSWORD_VERIFIER, this server acting as the SRP client.
   The tokens the source issues are dropped. Any challenge instead of tokens (NEW_PASSWORD_REQUIRED for a user
   who never chose a password, an MFA code, MFA_SETUP) means the user cannot move in by signing in; a user who
   has MFA factors at the source is not even tried, so that the source sends no code nobody will enter. These
   users take the way the guide gives for a sign-in that did not migrate: the forgot-password flow, which needs
   no password from the source (below).
3. AdminListGroupsForUser: the groups.

UserMigration_ForgotPassword: AdminGetUser and AdminListGroupsForUser only; a disabled user, or one that signs in
through an identity provider (EXTERNAL_PROVIDER), is not moved in.

The answer is a UserMigration function's: ``userAttributes`` (the source's, without ``sub``, which a function
cannot set: the pool assigns a new one, kept under ``sub_attribute`` when the target says so),
``finalUserStatus`` CONFIRMED, ``messageAction`` SUPPRESS, ``enableSMSMFA``; and the members of this server
that Cognito's answer has no room for (triggers/user_migration.py): the group names, email MFA and the
preferred factor. A software token cannot be copied: Cognito never gives its secret out. A user the source
refuses gets an answer without attributes, so the caller hears what this pool says of a name it does not know.
A source that cannot be reached, or that refuses the server's own credentials or settings, is a function that
gave no answer (UnexpectedLambdaException), logged without the request.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import orjson

from userpool.config import TriggerTarget
from userpool.crypto import srp
from userpool.crypto.secret_hash import secret_hash
from userpool.migration_settings import ADMIN_FLOW, SRP_FLOW, CognitoSource
from userpool.model.vocabulary import ChallengeName
from userpool.triggers.cognito_source import SourceError, SourcePool
from userpool.triggers.failures import NotInvoked
from userpool.triggers.sources import Source
from userpool.triggers.user_migration import EMAIL_MFA_MEMBER, GROUPS_MEMBER, MAX_GROUPS, PREFERRED_MFA_MEMBER

log = logging.getLogger("userpool.triggers")

SMS, EMAIL = ChallengeName.SMS_MFA, ChallengeName.EMAIL_OTP
# Attributes a UserMigration answer cannot carry: the pool assigns the sub; identities are links to identity
# providers made by federated sign-ins, which this pool makes anew.
_NOT_COPIED = frozenset({"sub", "identities"})
# The source's answers that say this name and password do not sign in there.
_REFUSALS = frozenset(
    {
        "NotAuthorizedException",
        "UserNotFoundException",
        "PasswordResetRequiredException",
        "UserNotConfirmedException",
        "TooManyFailedAttemptsException",
        # The source's own trigger (PreAuthentication, ...) refused the user.
        "UserLambdaValidationException",
    }
)
_THROTTLED = frozenset({"TooManyRequestsException", "LimitExceededException"})
# AdminListGroupsForUser's largest page.
GROUPS_PAGE = 60


@dataclass(frozen=True, slots=True)
class SourceUser:
    """What AdminGetUser says of the user."""

    username: str
    attributes: dict[str, str]
    enabled: bool
    status: str
    factors: tuple[str, ...]
    preferred: str | None


def _source_user(answer: dict[str, Any]) -> SourceUser:
    attributes = {str(a.get("Name")): str(a.get("Value", "")) for a in answer.get("UserAttributes") or ()}
    factors = [str(f) for f in answer.get("UserMFASettingList") or ()]
    # The legacy MFAOptions (SetUserSettings) turn SMS MFA on as well.
    if answer.get("MFAOptions") and SMS not in factors:
        factors.append(SMS)
    preferred = answer.get("PreferredMfaSetting")
    return SourceUser(
        username=str(answer.get("Username", "")),
        attributes=attributes,
        enabled=answer.get("Enabled", True) is not False,
        status=str(answer.get("UserStatus", "")),
        factors=tuple(factors),
        preferred=str(preferred) if preferred else None,
    )


def _judge(operation: str, error: SourceError) -> None:
    """Return when ``error`` refuses the user; raise NotInvoked when the call itself failed."""
    # NotAuthorizedException also says that the app client's secret is wrong or missing: a setting of ours.
    if error.kind in _REFUSALS and "secret" not in error.message.lower():
        return
    if error.kind in _THROTTLED:
        log.warning("cognito-migration: the source pool throttled %s (%s)", operation, error.kind)
        raise NotInvoked("ServiceException", retry=True)
    log.error("cognito-migration: the source pool refused %s: %s: %s", operation, error.kind, error.message)
    raise NotInvoked("ServiceException", retry=error.status >= 500)


def _flow_refused(error: SourceError) -> bool:
    """The source's app client does not allow ADMIN_USER_PASSWORD_AUTH ("Auth flow not enabled for this
    client", "ADMIN_USER_PASSWORD_AUTH flow not enabled for this client")."""
    return error.kind == "InvalidParameterException" and "flow not enabled" in error.message.lower()


def _hash(source: CognitoSource, username: str) -> dict[str, str]:
    if not source.client_secret:
        return {}
    return {"SECRET_HASH": secret_hash(source.client_secret, username, source.client_id)}


def _signed_in(answer: dict[str, Any]) -> bool:
    """Tokens, not a challenge: NEW_PASSWORD_REQUIRED, MFA and MFA_SETUP are users who cannot move in here."""
    return isinstance(answer.get("AuthenticationResult"), dict) and not answer.get("ChallengeName")


class CognitoMigrationTransport:
    """The TriggerTransport of ``cognito-migration`` targets: one SourcePool per source, for the process."""

    def __init__(self) -> None:
        self._pools: dict[CognitoSource, SourcePool] = {}
        # Sources whose app client refused ADMIN_USER_PASSWORD_AUTH: checked with SRP from then on.
        self._srp_only: set[CognitoSource] = set()
        self._lock = threading.Lock()

    def _pool(self, source: CognitoSource) -> SourcePool:
        with self._lock:
            return self._pools.setdefault(source, SourcePool(source))

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()

    def invoke(self, target: TriggerTarget, arn: str, event: bytes, timeout: float) -> Any:
        source = target.source
        parsed = orjson.loads(event)
        trigger_source = parsed.get("triggerSource")
        if source is None or trigger_source not in (
            Source.USER_MIGRATION_AUTHENTICATION,
            Source.USER_MIGRATION_FORGOT_PASSWORD,
        ):
            log.error("cognito-migration: %s is not a UserMigration function (%s)", arn, trigger_source)
            raise NotInvoked("ResourceNotFoundException", retry=False)
        deadline = time.monotonic() + timeout
        pool = self._pool(source)
        name = str(parsed.get("userName", ""))
        request = parsed.get("request") or {}
        if trigger_source == Source.USER_MIGRATION_AUTHENTICATION:
            answer = self._on_sign_in(pool, name, str(request.get("password", "")), deadline)
        else:
            answer = self._on_reset(pool, name, deadline)
        parsed["response"] = {**(parsed.get("response") or {}), **answer}
        return parsed

    def _on_sign_in(self, pool: SourcePool, name: str, password: str, deadline: float) -> dict[str, Any]:
        user = _get_user(pool, name, deadline)
        if user is None or not user.enabled:
            return {}
        if user.factors:
            log.info("cognito-migration: a sign-in did not move a user in: it has MFA at the source")
            return {}
        if not self._password_ok(pool, name, password, deadline):
            return {}
        return _answer(pool.source, user, _groups(pool, user.username, deadline), final_status="CONFIRMED")

    def _on_reset(self, pool: SourcePool, name: str, deadline: float) -> dict[str, Any]:
        user = _get_user(pool, name, deadline)
        if user is None or not user.enabled or user.status == "EXTERNAL_PROVIDER":
            return {}
        return _answer(pool.source, user, _groups(pool, user.username, deadline), final_status=None)

    def _password_ok(self, pool: SourcePool, name: str, password: str, deadline: float) -> bool:
        source = pool.source
        if source.auth_flow == SRP_FLOW or (not source.auth_flow and source in self._srp_only):
            return _srp_password_ok(pool, name, password, deadline)
        request = {
            "UserPoolId": source.user_pool_id,
            "ClientId": source.client_id,
            "AuthFlow": ADMIN_FLOW,
            "AuthParameters": {"USERNAME": name, "PASSWORD": password, **_hash(source, name)},
        }
        try:
            answer = pool.call("AdminInitiateAuth", request, deadline, signed=True)
        except SourceError as error:
            if not source.auth_flow and _flow_refused(error):
                log.info("cognito-migration: the source's app client allows no ADMIN_USER_PASSWORD_AUTH; using SRP")
                with self._lock:
                    self._srp_only.add(source)
                return _srp_password_ok(pool, name, password, deadline)
            _judge("AdminInitiateAuth", error)
            return False
        return _signed_in(answer)


def _get_user(pool: SourcePool, name: str, deadline: float) -> SourceUser | None:
    request = {"UserPoolId": pool.source.user_pool_id, "Username": name}
    try:
        return _source_user(pool.call("AdminGetUser", request, deadline, signed=True))
    except SourceError as error:
        _judge("AdminGetUser", error)
        return None


def _groups(pool: SourcePool, username: str, deadline: float) -> list[str]:
    names: list[str] = []
    token: str | None = None
    while len(names) < MAX_GROUPS:
        request: dict[str, Any] = {"UserPoolId": pool.source.user_pool_id, "Username": username, "Limit": GROUPS_PAGE}
        if token:
            request["NextToken"] = token
        try:
            answer = pool.call("AdminListGroupsForUser", request, deadline, signed=True)
        except SourceError as error:
            _judge("AdminListGroupsForUser", error)
            return names
        names += [str(g["GroupName"]) for g in answer.get("Groups") or () if g.get("GroupName")]
        token = answer.get("NextToken")
        if not token:
            break
    return names[:MAX_GROUPS]


def _srp_password_ok(pool: SourcePool, name: str, password: str, deadline: float) -> bool:
    """USER_SRP_AUTH against the source, this server computing what an SRP client computes (docs/srp.md)."""
    source = pool.source
    a = srp.new_client_secret()
    a_pub = srp.client_public(a)
    start = {
        "AuthFlow": SRP_FLOW,
        "ClientId": source.client_id,
        "AuthParameters": {"USERNAME": name, "SRP_A": format(a_pub, "x"), **_hash(source, name)},
    }
    try:
        first = pool.call("InitiateAuth", start, deadline, signed=False)
        if first.get("ChallengeName") != "PASSWORD_VERIFIER":
            return False
        challenge = first.get("ChallengeParameters") or {}
        user_id = str(challenge["USER_ID_FOR_SRP"])
        block = str(challenge["SECRET_BLOCK"])
        x = srp.password_x(source.user_pool_id, user_id, password, int(str(challenge["SALT"]), 16))
        key = srp.client_session_key(a, a_pub, int(str(challenge["SRP_B"]), 16), x)
        if key is None:
            return False
        timestamp = srp.format_timestamp(time.time())
        claim = srp.claim_signature(key, source.user_pool_id, user_id, base64.b64decode(block), timestamp)
        responses = {
            "USERNAME": user_id,
            "PASSWORD_CLAIM_SECRET_BLOCK": block,
            "PASSWORD_CLAIM_SIGNATURE": base64.b64encode(claim).decode(),
            "TIMESTAMP": timestamp,
            **_hash(source, user_id),
        }
        answer: dict[str, Any] = {
            "ChallengeName": "PASSWORD_VERIFIER",
            "ClientId": source.client_id,
            "ChallengeResponses": responses,
        }
        if first.get("Session"):
            answer["Session"] = first["Session"]
        second = pool.call("RespondToAuthChallenge", answer, deadline, signed=False)
    except SourceError as error:
        _judge("USER_SRP_AUTH", error)
        return False
    except (KeyError, ValueError, binascii.Error):
        log.error("cognito-migration: the source pool's PASSWORD_VERIFIER challenge could not be read")
        raise NotInvoked("ServiceException", retry=False) from None
    return _signed_in(second)


def _answer(source: CognitoSource, user: SourceUser, groups: list[str], final_status: str | None) -> dict[str, Any]:
    """The ``response`` a UserMigration function gives for ``user``."""
    attributes = {k: v for k, v in user.attributes.items() if k not in _NOT_COPIED and not k.startswith("cognito:")}
    if source.sub_attribute and user.attributes.get("sub"):
        attributes[source.sub_attribute] = user.attributes["sub"]
    factors = [f for f in user.factors if f in (SMS, EMAIL)]
    response: dict[str, Any] = {
        "userAttributes": attributes,
        "messageAction": "SUPPRESS",
        "enableSMSMFA": SMS in factors,
    }
    if final_status is not None:
        response["finalUserStatus"] = final_status
    if EMAIL in factors:
        response[EMAIL_MFA_MEMBER] = True
    if user.preferred in factors:
        response[PREFERRED_MFA_MEMBER] = user.preferred
    if groups:
        response[GROUPS_MEMBER] = groups
    return response
