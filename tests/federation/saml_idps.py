"""Real SAML 2.0 identity providers for the federation tests, run as processes on loopback ports.

- ``pysaml2_idp``: PyPI pysaml2's IdP (``idps/saml_idp.py``): Response and assertion signed (RSA-SHA256),
  persistent NameID = the user's name, attributes as OID names (email ``urn:oid:1.2.840.113549.1.9.1.1``,
  givenName ``urn:oid:2.5.4.42``, sn ``urn:oid:2.5.4.4``) and ``groups`` (multi-valued); SP- and
  IdP-initiated sign-in, single logout. ``pysaml2_encrypting_idp`` encrypts assertions (ENCRYPT) and
  ``pysaml2_sha1_idp`` signs with SHA-1 (SIGN_SHA1).
- ``samlify_idp``: npm samlify (``idps/samlify_idp.mjs``): only the assertion signed, persistent NameID =
  the e-mail address, basic attribute names ``email``, ``given_name``, ``groups`` (multi-valued); SP- and
  IdP-initiated sign-in, single logout. ``samlify_signed_response_idp`` signs the Response too
  (SIGN_RESPONSE).

Each is started once per session and trusts the service providers whose metadata a test registers
(``SamlIdp.trust``). ``SamlIdp.sign_in`` walks our AuthnRequest redirect through the IdP, browser-less, to
the auto-posted form it answers with; ``idp_initiated`` and ``logout`` do the same for an unsolicited
Response and a LogoutRequest.
"""

from __future__ import annotations

import base64
import html.parser
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.federation.idp_processes import IDPS, idp_process

PYSAML2_USERS: dict[str, dict[str, Any]] = {
    "alice": {"email": "alice@example.test", "givenName": "Alice", "sn": "Liddell", "groups": ["admins", "staff"]},
    "bob": {"email": "bob@example.test", "givenName": "Bob", "sn": "Builder", "groups": ["builders"]},
    # A 4-byte UTF-8 character in an attribute value, which Cognito refuses.
    "carol": {"email": "carol@example.test", "givenName": "Carol \U0001f610", "sn": "Singer", "groups": []},
}
SAMLIFY_USERS: dict[str, dict[str, Any]] = {
    "alice@example.test": {"email": "alice@example.test", "given_name": "Alice", "groups": ["admins", "staff"]},
    "bob@example.test": {"email": "bob@example.test", "given_name": "Bob", "groups": ["builders"]},
}
# The OID names pysaml2 gives the attributes it knows (saml2.attributemaps).
OID_EMAIL = "urn:oid:1.2.840.113549.1.9.1.1"
OID_GIVEN_NAME = "urn:oid:2.5.4.42"
OID_SURNAME = "urn:oid:2.5.4.4"


def key_and_certificate(common_name: str) -> tuple[str, str]:
    """A new RSA-2048 key (PKCS#8 PEM) and a self-signed certificate for it (PEM), valid a year."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


def der_base64(certificate_pem: str) -> str:
    """A PEM certificate as base64 DER, as metadata and GetSigningCertificate give it."""
    return base64.b64encode(
        x509.load_pem_x509_certificate(certificate_pem.encode()).public_bytes(serialization.Encoding.DER)
    ).decode()


class _AutoPostForm(html.parser.HTMLParser):
    """The action and fields of the first form of an auto-submitting page (SAML HTTP-POST binding)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action", "")
        elif tag == "input" and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")


@dataclass(frozen=True)
class SamlPost:
    """What the IdP's auto-submitting page posts: its action URL and fields (SAMLResponse, RelayState)."""

    action: str
    fields: Mapping[str, str]

    @property
    def saml_response(self) -> str:
        return self.fields["SAMLResponse"]

    @property
    def saml_request(self) -> str:
        return self.fields["SAMLRequest"]

    @property
    def xml(self) -> str:
        return base64.b64decode(self.fields["SAMLResponse"]).decode()


@dataclass(frozen=True)
class SamlIdp:
    """A running SAML IdP: its base URL, entity ID, metadata (URL and document), SSO and SLO URLs, the
    certificate it signs with (base64 DER) and its users (by NameID)."""

    kind: str
    base_url: str
    entity_id: str
    metadata_url: str
    metadata: str
    sso_url: str
    slo_url: str
    certificate: str
    users: Mapping[str, Mapping[str, Any]]

    def trust(self, sp_metadata: str) -> None:
        """Make the IdP trust the SP of this metadata (replacing what it knew of that entity ID)."""
        response = httpx.post(self.base_url + "/sp-metadata", content=sp_metadata.encode(), timeout=10)
        assert response.status_code == 204, response.text

    def _form(self, url: str, params: Mapping[str, str] | None = None) -> SamlPost:
        if params:
            url += ("&" if "?" in url else "?") + urlencode(dict(params))
        response = httpx.get(url, timeout=10)
        form = _AutoPostForm()
        form.feed(response.text)
        if response.status_code != 200 or not form.action:
            raise AssertionError(f"the IdP answered {response.status_code}: {response.text[:500]}")
        return SamlPost(form.action, dict(form.fields))

    def sign_in(self, redirect_url: str, user: str | None = None) -> SamlPost:
        """Follow our AuthnRequest redirect to the IdP, which signs ``user`` in (its default user if None)
        and answers with the form that posts the Response to the ACS."""
        return self._form(redirect_url + (f"&{urlencode({'user': user})}" if user else ""))

    def idp_initiated(self, sp_entity_id: str, relay_state: str | None = None, user: str | None = None) -> SamlPost:
        """An IdP-initiated sign-in at the SP ``sp_entity_id``: the form with an unsolicited Response."""
        params = {"sp": sp_entity_id}
        if relay_state is not None:
            params["RelayState"] = relay_state
        if user is not None:
            params["user"] = user
        return self._form(self.base_url + "/idp-init", params)

    def logout(self, redirect_url: str) -> SamlPost:
        """Follow our LogoutRequest redirect: the form that posts the LogoutResponse to our SLO endpoint."""
        return self._form(redirect_url)

    def idp_logout(self, sp_entity_id: str, user: str, session_index: str | None, relay_state: str) -> SamlPost:
        """An IdP-initiated logout (pysaml2 only): the form that posts its signed LogoutRequest to our SLO."""
        params = {"sp": sp_entity_id, "user": user, "RelayState": relay_state}
        if session_index:
            params["session_index"] = session_index
        return self._form(self.base_url + "/idp-logout", params)

    def answered(self, redirect_url: str) -> str:
        """Follow our redirect with a LogoutResponse to the IdP's request: what it made of it (a 200 page)."""
        response = httpx.get(redirect_url, timeout=10)
        assert response.status_code == 200, response.text[:500]
        return response.text

    def refuses(self, redirect_url: str) -> str:
        """The IdP's answer to a request it must refuse (a 400): its text."""
        response = httpx.get(redirect_url, timeout=10)
        assert response.status_code == 400, response.text[:500]
        return response.text


def _running(kind: str, base: str, certificate_pem: str, users: Mapping[str, Mapping[str, Any]]) -> SamlIdp:
    paths = {"pysaml2": ("/metadata", "/sso/redirect", "/slo/redirect"), "samlify": ("/metadata", "/sso", "/slo")}
    metadata_path, sso_path, slo_path = paths[kind]
    metadata = httpx.get(base + metadata_path, timeout=10)
    metadata.raise_for_status()
    return SamlIdp(
        kind=kind,
        base_url=base,
        entity_id=base + "/metadata",
        metadata_url=base + metadata_path,
        metadata=metadata.text,
        sso_url=base + sso_path,
        slo_url=base + slo_path,
        certificate=der_base64(certificate_pem),
        users=users,
    )


@contextmanager
def start_pysaml2_idp(
    log_dir: Path,
    encrypt: bool = False,
    sign_sha1: bool = False,
    key: tuple[str, str] | None = None,
    port: int = 0,
    sp_metadata: Sequence[str] = (),
    public_base: str | None = None,
) -> Iterator[SamlIdp]:
    """pysaml2's IdP signing with ``key`` (key PEM, certificate PEM; a new one if None), on ``port`` (a free
    one if 0), trusting the SPs of ``sp_metadata`` from the start; ``public_base``: the base URL its entity
    ID and endpoints name, when it impersonates an IdP at another address."""
    key_pem, cert_pem = key or key_and_certificate("pysaml2 test IdP")
    config = {
        "key_pem": key_pem,
        "cert_pem": cert_pem,
        "users": PYSAML2_USERS,
        "default_user": "alice",
        "encrypt": encrypt,
        "sign_sha1": sign_sha1,
        "port": port,
        "sp_metadata": list(sp_metadata),
        "public_base": public_base,
    }
    with idp_process([sys.executable, str(IDPS / "saml_idp.py")], config, log_dir) as base:
        yield _running("pysaml2", base, cert_pem, PYSAML2_USERS)


@contextmanager
def start_samlify_idp(log_dir: Path, sign_response: bool = False) -> Iterator[SamlIdp]:
    key_pem, cert_pem = key_and_certificate("samlify test IdP")
    config = {
        "key_pem": key_pem,
        "cert_pem": cert_pem,
        "users": SAMLIFY_USERS,
        "default_user": "alice@example.test",
        "sign_response": sign_response,
    }
    with idp_process(["node", str(IDPS / "samlify_idp.mjs")], config, log_dir) as base:
        yield _running("samlify", base, cert_pem, SAMLIFY_USERS)


@pytest.fixture(scope="session")
def pysaml2_idp(idp_logs: Path) -> Iterator[SamlIdp]:
    with start_pysaml2_idp(idp_logs) as idp:
        yield idp


@pytest.fixture(scope="session")
def pysaml2_encrypting_idp(idp_logs: Path) -> Iterator[SamlIdp]:
    with start_pysaml2_idp(idp_logs, encrypt=True) as idp:
        yield idp


@pytest.fixture(scope="session")
def pysaml2_sha1_idp(idp_logs: Path) -> Iterator[SamlIdp]:
    with start_pysaml2_idp(idp_logs, sign_sha1=True) as idp:
        yield idp


@pytest.fixture(scope="session")
def samlify_idp(idp_logs: Path) -> Iterator[SamlIdp]:
    with start_samlify_idp(idp_logs) as idp:
        yield idp


@pytest.fixture(scope="session")
def samlify_signed_response_idp(idp_logs: Path) -> Iterator[SamlIdp]:
    with start_samlify_idp(idp_logs, sign_response=True) as idp:
        yield idp
