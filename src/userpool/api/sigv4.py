"""Verify AWS Signature Version 4 on admin operations (AWS: "Signature Version 4 for API requests").

The signature is recomputed from the request as received, with the secret we hold for the access key,
and compared in constant time. Nothing here logs a secret or a signature.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote, unquote

from userpool.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "cognito-idp"
# The scope's region prefixes new pool ids ("<region>_<9 alphanumerics>", at most 55 characters, pattern
# [\w-]+_[0-9a-zA-Z]+), so it may hold neither "_" nor more than 45 characters.
_REGION = re.compile(r"[A-Za-z0-9-]{1,45}")
# Headers the signature must cover: the host it was meant for, and what the body means. The target names the
# operation, so a request whose signature left it out could be replayed as another operation on the same
# body (AdminGetUser's body is also AdminDisableUser's). botocore and the AWS CLI sign every header but a
# few hop-by-hop ones, the AWS SDK for JavaScript v3 (@smithy/signature-v4) likewise; Amplify and
# amazon-cognito-identity-js call only the unsigned operations.
_MUST_SIGN = (("host", "Host"), ("content-type", "Content-Type"), ("x-amz-target", "X-Amz-Target"))


@dataclass(frozen=True, slots=True)
class SignedRequest:
    method: str
    raw_path: str
    query: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes


@dataclass(frozen=True, slots=True)
class Caller:
    """Who signed the request, and the region named in its credential scope."""

    access_key_id: str
    region: str


@dataclass(frozen=True, slots=True)
class _Authorization:
    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: list[str]
    signature: str


def parse_authorization(header: str) -> _Authorization:
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignatureException(f"Unsupported signature algorithm: {algorithm or 'none'}")
    parts: dict[str, str] = {}
    for item in rest.split(","):
        key, _, value = item.strip().partition("=")
        parts[key] = value
    try:
        credential = parts["Credential"].split("/")
        signed_headers = parts["SignedHeaders"].split(";")
        signature = parts["Signature"]
    except KeyError as exc:
        raise IncompleteSignatureException(f"Authorization header requires '{exc.args[0]}' parameter.") from None
    if len(credential) != 5 or credential[4] != "aws4_request":
        raise IncompleteSignatureException("Credential should be scoped to a valid region.")
    akid, date, region, service, _ = credential
    return _Authorization(akid, date, region, service, signed_headers, signature)


def region_of(header: str | None) -> str | None:
    """The region of a credential scope, or None when the header is absent or malformed."""
    if not header:
        return None
    try:
        region = parse_authorization(header).region
    except IncompleteSignatureException:
        return None
    return region if _REGION.fullmatch(region) else None


def access_key_of(header: str | None) -> str | None:
    """The access key id a header claims to be signed with (not verified), or None."""
    if not header:
        return None
    try:
        return parse_authorization(header).access_key_id or None
    except IncompleteSignatureException:
        return None


def _canonical_uri(raw_path: str) -> str:
    if raw_path == "/":
        return raw_path  # the API's one path: nothing to encode
    # Each segment is URI-encoded once, exactly as botocore does when it signs.
    return "/".join(quote(unquote(seg), safe="-_.~") for seg in raw_path.split("/")) or "/"


def _canonical_query(query: str) -> str:
    if not query:
        return ""
    pairs = []
    for item in query.split("&"):
        key, _, value = item.partition("=")
        pairs.append((quote(unquote(key), safe="-_.~"), quote(unquote(value), safe="-_.~")))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def _canonical_header_value(value: str) -> str:
    return " ".join(value.strip().split())


@lru_cache(maxsize=256)
def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    # Derived once per access key, day, region and service: four HMACs a request would otherwise repeat.
    def sign(key: bytes, msg: str) -> bytes:
        return hmac.digest(key, msg.encode(), "sha256")

    return sign(sign(sign(sign(("AWS4" + secret).encode(), date), region), service), "aws4_request")


@lru_cache(maxsize=64)
def _epoch_of(amz_date: str) -> float | None:
    """X-Amz-Date (ISO 8601 basic format) in epoch seconds, None if it is not one. Kept for the few dates
    in use at a time: every request a client signs within one second carries the same."""
    try:
        return datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def _request_time(headers: Mapping[str, str]) -> tuple[str, float]:
    amz_date = headers.get("x-amz-date")
    if amz_date is None:
        raise IncompleteSignatureException(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    when = _epoch_of(amz_date)
    if when is None:
        raise IncompleteSignatureException(f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'.")
    return amz_date, when


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y%m%dT%H%M%SZ")


def verify(
    request: SignedRequest,
    secret_for: Callable[[str], str | None],
    now: float,
    max_skew_seconds: int,
    service: str = SERVICE,
) -> Caller:
    """Check the request's SigV4 signature for ``service`` (the credential scope's signing name: ``cognito-idp``,
    or ``cognito-identity`` for identity pools); return the caller or raise AWS's error for the failure."""
    header = request.headers.get("authorization")
    if not header:
        raise MissingAuthenticationTokenException()
    auth = parse_authorization(header)
    if auth.service != service:
        raise InvalidSignatureException(f"Credential should be scoped to correct service: '{service}'.")
    if not _REGION.fullmatch(auth.region):
        raise InvalidSignatureException(f"Credential should be scoped to a valid region, not '{auth.region}'.")
    secret = secret_for(auth.access_key_id)
    if secret is None or "x-amz-security-token" in request.headers:
        # Our keys carry no session token, so a request that sends one was not signed with our key.
        raise UnrecognizedClientException()
    amz_date, when = _request_time(request.headers)
    skew = when - now
    if abs(skew) > max_skew_seconds:
        relation, sign = ("earlier", -1) if skew < 0 else ("later", 1)
        raise InvalidSignatureException(
            f"Signature expired: {amz_date} is now {relation} than {_stamp(now + sign * max_skew_seconds)} "
            f"({_stamp(now)} {'-' if sign < 0 else '+'} {max_skew_seconds // 60} min.)"
        )
    if amz_date[:8] != auth.date:
        raise InvalidSignatureException(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP."
        )
    for name, shown in _MUST_SIGN:
        if name not in auth.signed_headers:
            raise InvalidSignatureException(f"'{shown}' must be a 'SignedHeader' in the AWS Authorization.")
    canonical_headers = "".join(
        f"{name}:{_canonical_header_value(request.headers.get(name, ''))}\n" for name in auth.signed_headers
    )
    canonical_request = "\n".join(
        [
            request.method,
            _canonical_uri(request.raw_path),
            _canonical_query(request.query),
            canonical_headers,
            ";".join(auth.signed_headers),
            hashlib.sha256(request.body).hexdigest(),
        ]
    )
    scope = f"{auth.date}/{auth.region}/{auth.service}/aws4_request"
    string_to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = _signing_key(secret, auth.date, auth.region, auth.service)
    expected = hmac.digest(key, string_to_sign.encode(), "sha256").hex()
    if not hmac.compare_digest(expected, auth.signature):
        raise InvalidSignatureException(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
        )
    return Caller(auth.access_key_id, auth.region)
