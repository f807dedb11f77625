"""The AWS side of identity pools for the tests: IAM, STS and S3 from moto's server (``python -m moto.server`` on a
loopback port, a process of its own), and in front of its STS what AWS STS checks before
AssumeRoleWithWebIdentity, which moto does not check at all.

moto's STS hands out credentials for any token and any role. ``TrustingSts`` is an STS query endpoint that does
what AWS documents for web identity federation before passing the request on to moto ('Creating OpenID Connect
(OIDC) identity providers', 'Creating a role for web identity or OIDC federation' in the IAM user guide):

- the token's ``iss`` must be the URL of an IAM OIDC provider registered in moto's IAM, its signature must verify
  with a key from ``<iss>/.well-known/openid-configuration``'s ``jwks_uri`` (PyJWT), its ``aud`` must be in the
  provider's client ID list and it must not have expired: else ``InvalidIdentityToken``;
- the role's trust policy must have a statement allowing ``sts:AssumeRoleWithWebIdentity`` to that provider
  (``Principal.Federated``, its ARN) whose conditions the token's claims meet, with the condition keys AWS gives
  a provider (``<provider URL without scheme>:aud``, ``:sub``, ``:amr``) and the operators the Cognito guide's
  trust policies use (StringEquals, StringLike, their ForAnyValue forms): else ``AccessDenied``.

moto checks IAM permissions once ``enforce_iam()`` is called (its ``/moto-api/reset-auth``): from then on the
credentials STS issued act with their role's policies, so a role's S3 permissions decide what its holder may do.
AssumeRoleWithWebIdentity itself is unsigned (the token authorizes it), which moto's permission check cannot
take, and the front reads IAM with no credentials of a user: it turns the check off while it answers.
"""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import boto3
import httpx
import jwt
from botocore.config import Config
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.bridge import free_port, serve_in_thread

ACCOUNT = "123456789012"
ADMIN_KEY, ADMIN_SECRET = "AKIAIOSFODNN7EXAMPLE", "moto-admin-secret"
_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


@dataclass
class Moto:
    url: str
    enforcing: bool = False

    def client(self, service: str, **credentials: str) -> Any:
        keys = credentials or {"aws_access_key_id": ADMIN_KEY, "aws_secret_access_key": ADMIN_SECRET}
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            config=Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"}),
            **keys,
        )

    def enforce_iam(self, enforce: bool = True) -> None:
        """From now on every request is checked against IAM (or, ``enforce`` False, none is)."""
        httpx.post(f"{self.url}/moto-api/reset-auth", content="0" if enforce else "inf").raise_for_status()
        self.enforcing = enforce

    def role(self, name: str, trust: dict[str, Any], permissions: dict[str, Any]) -> str:
        iam = self.client("iam")
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        iam.put_role_policy(RoleName=name, PolicyName="permissions", PolicyDocument=json.dumps(permissions))
        return str(arn)


@contextmanager
def moto_server() -> Iterator[Moto]:
    """moto's server in a process of its own (its IAM enforcement is a setting of the whole process)."""
    for _attempt in range(5):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/moto-api/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        if process.poll() is None:
            break
    else:
        raise RuntimeError("moto's server did not start")
    try:
        yield Moto(url)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _error(status: int, code: str, message: str) -> Response:
    body = (
        f'<ErrorResponse xmlns="{_NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{message}</Message></Error><RequestId>test</RequestId></ErrorResponse>"
    )
    return Response(body, status, media_type="text/xml")


def _condition_met(operator: str, values: list[str], wanted: Any) -> bool:
    allowed = wanted if isinstance(wanted, list) else [wanted]
    any_value = operator.startswith("ForAnyValue:")
    base = operator.removeprefix("ForAnyValue:")
    if base == "StringEquals":
        matches = [v in allowed for v in values]
    elif base == "StringLike":
        matches = [any(fnmatch.fnmatchcase(v, pattern) for pattern in allowed) for v in values]
    else:
        raise AssertionError(f"condition operator {operator} is not one these tests use")
    return any(matches) if any_value else bool(values) and all(matches)


def trusted(trust: dict[str, Any], provider_arn: str, provider_url: str, claims: dict[str, Any]) -> bool:
    """Whether a trust policy lets the holder of a token with ``claims`` from ``provider_arn`` assume the role."""
    for statement in trust["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        federated = statement.get("Principal", {}).get("Federated")
        if statement["Effect"] != "Allow" or "sts:AssumeRoleWithWebIdentity" not in actions:
            continue
        if federated != provider_arn:
            continue
        conditions = statement.get("Condition", {})
        met = True
        for operator, pairs in conditions.items():
            for key, wanted in pairs.items():
                prefix, _, name = key.rpartition(":")
                if prefix != provider_url:
                    met = False
                    continue
                claim = claims.get(name)
                values = [str(v) for v in claim] if isinstance(claim, list) else ([str(claim)] if claim else [])
                met = met and _condition_met(operator, values, wanted)
        if met:
            return True
    return False


class TrustingSts:
    """The STS query endpoint in front of moto's (module docstring)."""

    def __init__(self, moto: Moto) -> None:
        self.moto = moto
        self.requests: list[dict[str, str]] = []
        self._lock = threading.Lock()

    def _verify(self, form: dict[str, str]) -> Response | None:
        token = form.get("WebIdentityToken", "")
        try:
            issuer = str(jwt.decode(token, options={"verify_signature": False})["iss"])
        except (jwt.PyJWTError, KeyError):
            return _error(400, "InvalidIdentityToken", "The ID Token provided is not a valid JWT.")
        iam = self.moto.client("iam")
        provider_url = issuer.split("://", 1)[-1]
        provider_arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{provider_url}"
        arns = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
        if provider_arn not in arns:
            return _error(400, "InvalidIdentityToken", f"No OpenIDConnect provider found in your account for {issuer}")
        audiences = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn)["ClientIDList"]
        discovery = httpx.get(f"{issuer}/.well-known/openid-configuration").json()
        try:
            key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token).key
            claims = jwt.decode(token, key, algorithms=["RS256"], audience=audiences, issuer=issuer)
        except jwt.PyJWTError as err:
            return _error(400, "InvalidIdentityToken", f"The token could not be verified: {type(err).__name__}")
        role_name = form.get("RoleArn", "").rsplit("/", 1)[-1]
        trust = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
        if not trusted(trust, provider_arn, provider_url, claims):
            return _error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
        return None

    def _answer(self, body: bytes) -> Response:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        with self._lock:
            self.requests.append(form)
            if form.get("Action") != "AssumeRoleWithWebIdentity":
                return _error(400, "InvalidAction", "Only AssumeRoleWithWebIdentity is answered here.")
            # The checks read IAM, and the request is unsigned: neither is a call moto could check.
            enforcing = self.moto.enforcing
            self.moto.enforce_iam(False)
            try:
                refused = self._verify(form)
                if refused is not None:
                    return refused
                forwarded = httpx.post(f"{self.moto.url}/", data=form)
            finally:
                if enforcing:
                    self.moto.enforce_iam()
        return Response(forwarded.content, forwarded.status_code, media_type="text/xml")

    def app(self) -> Starlette:
        async def endpoint(request: Request) -> Response:
            from starlette.concurrency import run_in_threadpool

            return await run_in_threadpool(self._answer, await request.body())

        return Starlette(routes=[Route("/", endpoint, methods=["POST"])])


@contextmanager
def trusting_sts(moto: Moto) -> Iterator[tuple[str, TrustingSts]]:
    """The front on a loopback port: its URL, and the front (the requests it received)."""
    front = TrustingSts(moto)
    with serve_in_thread(front.app()) as url:
        yield url + "/", front
