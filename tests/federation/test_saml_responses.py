"""The pool as a SAML service provider, against two real identity providers (PyPI pysaml2's IdP and npm
samlify, whose XML differs): our AuthnRequests (signed and unsigned) accepted by each, their Responses
checked by our code (services/federation/steps/saml_exchanges.py) as /saml2/idpresponse will check them,
encrypted assertions decrypted, single logout round-tripped; and every kind of forged, replayed, stale,
misdirected or unsafe response refused. Each step is called with a Ctx of a real runtime; the pool's
domain is ``BASE`` (no server listens there: the walk stops at the IdP's auto-posted form)."""

from __future__ import annotations

import base64
import dataclasses
import time
from collections.abc import Iterator

import pytest
from lxml import etree

from tests.conftest import make_settings
from tests.federation.saml_idps import OID_EMAIL, OID_GIVEN_NAME, OID_SURNAME, SamlIdp, SamlPost
from userpool.app import Runtime, build_runtime
from userpool.config import FederationSettings
from userpool.context import Ctx
from userpool.model.identity_providers import IdentityProvider
from userpool.model.saml_service_provider import NameId, sp_entity_id
from userpool.services.directory.pools import create_user_pool
from userpool.services.federation.providers import create_identity_provider
from userpool.services.federation.steps.saml_exchanges import (
    accept_logout_request,
    accept_logout_response,
    accept_saml_response,
    authn_request_redirect,
    logout_request_redirect,
    logout_response_redirect,
    pool_metadata,
)
from userpool.services.federation.steps.saml_responses import (
    SIGNATURE_INVALID,
    SamlAssertion,
    SamlResponseError,
    cognito_attribute_values,
)

BASE = "http://127.0.0.1:9229"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"samlp": SAMLP, "saml": SAML, "ds": DS}


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """A server's runtime that accepts identity providers on loopback addresses over http."""
    base = tmp_path_factory.mktemp("saml-sp")
    settings = make_settings(
        base / "data", f"sqlite:///{base / 'userpool.sqlite3'}", federation=FederationSettings(allow_http_idp_urls=True)
    )
    built = build_runtime(settings)
    yield built
    built.store.dispose()


def at(runtime: Runtime, now: float | None = None) -> Ctx:
    return Ctx(deps=runtime.deps, request_id="test", now=time.time() if now is None else now, region="us-east-1")


@dataclasses.dataclass(frozen=True)
class Sp:
    """A pool with ``idp`` as its SAML provider ``Corp``; the IdP trusts the pool's metadata."""

    runtime: Runtime
    pool_id: str
    provider: IdentityProvider
    idp: SamlIdp

    def ctx(self, now: float | None = None) -> Ctx:
        return at(self.runtime, now)

    def sign_in(self, user: str | None = None) -> tuple[str, SamlPost]:
        """Our AuthnRequest walked through the IdP: its ID and the IdP's form."""
        redirect = authn_request_redirect(self.ctx(), self.provider, BASE, "relay-1")
        return redirect.request_id, self.idp.sign_in(redirect.url, user)

    def accept(self, saml_response: str, request_id: str | None, now: float | None = None) -> SamlAssertion:
        return accept_saml_response(self.ctx(now), self.provider, BASE, saml_response, request_id)

    def refusal(self, saml_response: str, request_id: str | None, now: float | None = None) -> SamlResponseError:
        with pytest.raises(SamlResponseError) as refused:
            self.accept(saml_response, request_id, now)
        return refused.value


def make_sp(runtime: Runtime, idp: SamlIdp, pool_id: str | None = None, **details: str) -> Sp:
    ctx = at(runtime)
    pool_id = pool_id or create_user_pool(ctx, {"PoolName": "saml"})["UserPool"]["Id"]
    name = f"Corp{idp.kind}"
    create_identity_provider(
        ctx,
        {
            "UserPoolId": pool_id,
            "ProviderName": name,
            "ProviderType": "SAML",
            "ProviderDetails": {"MetadataFile": idp.metadata, **details},
        },
    )
    with ctx.store.read() as tx:
        provider = tx.identity_providers.get(pool_id, name)
    assert provider is not None
    idp.trust(pool_metadata(ctx, pool_id, BASE, provider))
    return Sp(runtime, pool_id, provider, idp)


@pytest.fixture(params=["pysaml2", "samlify"])
def any_idp(request: pytest.FixtureRequest) -> SamlIdp:
    idp = request.getfixturevalue(f"{request.param}_idp")
    assert isinstance(idp, SamlIdp)
    return idp


def tree(post: SamlPost) -> etree._Element:
    return etree.fromstring(base64.b64decode(post.saml_response))


def encoded(root: etree._Element) -> str:
    return base64.b64encode(etree.tostring(root)).decode()


def _assert_refused(error: SamlResponseError, reason: str, error_code: str = "invalid_request") -> None:
    assert (error.reason, error.error) == (reason, error_code), error
    assert error.description.startswith("Invalid SAML response received: ")


def test_saml_response__pysaml2_signs_response_and_assertion(runtime: Runtime, pysaml2_idp: SamlIdp) -> None:
    sp = make_sp(runtime, pysaml2_idp)
    request_id, post = sp.sign_in()
    assert post.action == BASE + "/saml2/idpresponse" and post.fields["RelayState"] == "relay-1"
    root = tree(post)
    assert root.find("ds:Signature", NS) is not None and root.find("saml:Assertion/ds:Signature", NS) is not None
    assertion = sp.accept(post.saml_response, request_id)
    assert assertion.issuer == pysaml2_idp.entity_id
    assert assertion.name_id.value == "alice"
    assert assertion.name_id.format == "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    assert assertion.session_index
    assert cognito_attribute_values(assertion) == {
        OID_EMAIL: "alice@example.test",
        OID_GIVEN_NAME: "Alice",
        OID_SURNAME: "Liddell",
        "groups": "[admins, staff]",
    }


def test_saml_response__samlify_signs_the_assertion_only(runtime: Runtime, samlify_idp: SamlIdp) -> None:
    sp = make_sp(runtime, samlify_idp)
    request_id, post = sp.sign_in("bob@example.test")
    root = tree(post)
    assert root.find("ds:Signature", NS) is None and root.find("saml:Assertion/ds:Signature", NS) is not None
    assertion = sp.accept(post.saml_response, request_id)
    assert assertion.name_id.value == "bob@example.test"
    assert cognito_attribute_values(assertion) == {
        "email": "bob@example.test",
        "given_name": "Bob",
        "groups": "builders",
    }


def test_saml_response__samlify_signing_the_response_too(
    runtime: Runtime, samlify_signed_response_idp: SamlIdp
) -> None:
    sp = make_sp(runtime, samlify_signed_response_idp)
    request_id, post = sp.sign_in()
    root = tree(post)
    assert root.find("ds:Signature", NS) is not None and root.find("saml:Assertion/ds:Signature", NS) is not None
    assert sp.accept(post.saml_response, request_id).attributes["groups"] == ("admins", "staff")


def test_saml_response__signed_authn_request_verified_by_the_idp(runtime: Runtime, any_idp: SamlIdp) -> None:
    sp = make_sp(runtime, any_idp, RequestSigningAlgorithm="rsa-sha256")
    redirect = authn_request_redirect(sp.ctx(), sp.provider, BASE, "relay-signed")
    assert "&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256&Signature=" in redirect.url
    post = any_idp.sign_in(redirect.url)
    assert post.fields["RelayState"] == "relay-signed"
    assert sp.accept(post.saml_response, redirect.request_id).name_id.value
    # The IdP checks the signature with the certificate of our metadata: one byte off and it refuses.
    head, signature = redirect.url.rsplit("&Signature=", 1)
    forged = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    any_idp.refuses(f"{head}&Signature={forged}")


def test_saml_response__encrypted_assertion_decrypted(runtime: Runtime, pysaml2_encrypting_idp: SamlIdp) -> None:
    sp = make_sp(runtime, pysaml2_encrypting_idp, EncryptedResponses="true")
    request_id, post = sp.sign_in()
    root = tree(post)
    assert root.find("saml:EncryptedAssertion", NS) is not None and not list(root.iter(f"{{{SAML}}}Assertion"))
    assertion = sp.accept(post.saml_response, request_id)
    assert assertion.name_id.value == "alice" and assertion.attributes[OID_EMAIL] == ("alice@example.test",)


def test_saml_response__plain_assertion_refused_when_encryption_is_required(
    runtime: Runtime, pysaml2_idp: SamlIdp
) -> None:
    sp = make_sp(runtime, pysaml2_idp, EncryptedResponses="true")
    request_id, post = sp.sign_in()
    _assert_refused(sp.refusal(post.saml_response, request_id), "encryption")


def test_saml_response__encrypted_assertion_refused_when_not_enabled(
    runtime: Runtime, pysaml2_encrypting_idp: SamlIdp
) -> None:
    sp = make_sp(runtime, pysaml2_encrypting_idp)
    request_id, post = sp.sign_in()
    _assert_refused(sp.refusal(post.saml_response, request_id), "encryption")


def test_saml_response__tampered_attribute_refused(runtime: Runtime, any_idp: SamlIdp) -> None:
    sp = make_sp(runtime, any_idp)
    request_id, post = sp.sign_in()
    tampered = post.xml.replace("alice@example.test", "mallory@example.test")
    assert tampered != post.xml
    refused = sp.refusal(base64.b64encode(tampered.encode()).decode(), request_id)
    _assert_refused(refused, "signature", "server_error")
    assert (
        refused.description
        == SIGNATURE_INVALID
        == "Invalid SAML response received: SAML Assertion signature is invalid."
    )


def test_saml_response__signature_by_another_key_refused(
    runtime: Runtime, pysaml2_idp: SamlIdp, samlify_idp: SamlIdp
) -> None:
    """A response signed by another IdP (samlify) checked against the provider's metadata (pysaml2)."""
    trusted = make_sp(runtime, pysaml2_idp)
    other = make_sp(runtime, samlify_idp, pool_id=trusted.pool_id)
    request_id, post = other.sign_in()
    _assert_refused(trusted.refusal(post.saml_response, request_id), "signature", "server_error")


def _forged_copy(assertion: etree._Element, new_id: str) -> etree._Element:
    """An unsigned copy of ``assertion`` for mallory, under ``new_id``."""
    forged = etree.fromstring(etree.tostring(assertion))
    forged.set("ID", new_id)
    for signature in forged.findall("ds:Signature", NS):
        forged.remove(signature)
    name_id = forged.find("saml:Subject/saml:NameID", NS)
    assert name_id is not None
    name_id.text = "mallory@example.test"
    return forged


def test_saml_response__second_unsigned_assertion_refused(runtime: Runtime, any_idp: SamlIdp) -> None:
    sp = make_sp(runtime, any_idp)
    request_id, post = sp.sign_in()
    root = tree(post)
    assertion = root.find("saml:Assertion", NS)
    assert assertion is not None
    # pysaml2 signs the Response, which the insertion breaks; samlify signs only the assertion.
    reason, error = (
        ("signature", "server_error") if any_idp.kind == "pysaml2" else ("assertion_count", "invalid_request")
    )
    for position in (root.index(assertion), root.index(assertion) + 1):
        wrapped = etree.fromstring(etree.tostring(root))
        wrapped.insert(position, _forged_copy(assertion, "_forged"))
        _assert_refused(sp.refusal(encoded(wrapped), request_id), reason, error)


def test_saml_response__signed_assertion_moved_under_an_unsigned_wrapper_refused(
    runtime: Runtime, samlify_idp: SamlIdp
) -> None:
    """samlify signs only the assertion: the classic wrapping attacks put the signed one out of the way
    (in the Response's Extensions, or in the forged assertion's Advice) where a careless verifier still
    finds it by ID, and a forged one where the data is read."""
    sp = make_sp(runtime, samlify_idp)
    request_id, post = sp.sign_in()
    root = tree(post)
    signed = root.find("saml:Assertion", NS)
    assert signed is not None
    original_id = str(signed.get("ID"))
    for forged_id in (original_id, "_forged"):
        attacked = etree.fromstring(etree.tostring(root))
        genuine = attacked.find("saml:Assertion", NS)
        assert genuine is not None
        forged = _forged_copy(genuine, forged_id)
        attacked.replace(genuine, forged)
        extensions = etree.Element(f"{{{SAMLP}}}Extensions")
        extensions.append(genuine)
        attacked.insert(1, extensions)
        refused = sp.refusal(encoded(attacked), request_id)
        assert refused.reason in ("assertion_count", "duplicate_id"), refused
        advised = etree.fromstring(etree.tostring(root))
        genuine = advised.find("saml:Assertion", NS)
        assert genuine is not None
        forged = _forged_copy(genuine, forged_id)
        advice = etree.SubElement(forged, f"{{{SAML}}}Advice")
        advised.replace(genuine, forged)
        advice.append(genuine)
        refused = sp.refusal(encoded(advised), request_id)
        assert refused.reason in ("assertion_count", "duplicate_id"), refused


def test_saml_response__comment_inside_the_name_id_refused(runtime: Runtime, samlify_idp: SamlIdp) -> None:
    """Exclusive canonicalisation drops comments, so a comment slipped into the signed NameID keeps the
    signature valid while a reader of the first text node would see only part of the name."""
    sp = make_sp(runtime, samlify_idp)
    request_id, post = sp.sign_in()
    split = post.xml.replace(">alice@example.test</saml:NameID>", ">alice@example<!-- -->.test</saml:NameID>", 1)
    assert split != post.xml
    _assert_refused(sp.refusal(base64.b64encode(split.encode()).decode(), request_id), "content")


def test_saml_response__xml_id_refused(runtime: Runtime, samlify_idp: SamlIdp) -> None:
    """libxml2 resolves ``#X`` to an element with xml:id="X" before one with ID="X": no xml:id is accepted."""
    sp = make_sp(runtime, samlify_idp)
    request_id, post = sp.sign_in()
    root = tree(post)
    status = root.find("samlp:Status", NS)
    assert status is not None
    status.set("{http://www.w3.org/XML/1998/namespace}id", "_elsewhere")
    _assert_refused(sp.refusal(encoded(root), request_id), "duplicate_id", "server_error")


def test_saml_response__any_metadata_certificate_verifies(
    runtime: Runtime, pysaml2_idp: SamlIdp, samlify_idp: SamlIdp
) -> None:
    """A provider may list several signing certificates (a rotation): a response verifies with any."""
    sp = make_sp(runtime, pysaml2_idp)
    assert sp.provider.saml is not None
    both = dataclasses.replace(
        sp.provider.saml, signing_certificates=(samlify_idp.certificate, *sp.provider.saml.signing_certificates)
    )
    rotated = dataclasses.replace(sp, provider=dataclasses.replace(sp.provider, saml=both))
    request_id, post = rotated.sign_in()
    assert rotated.accept(post.saml_response, request_id).name_id.value == "alice"


def test_saml_response__failed_status_refused(runtime: Runtime, pysaml2_idp: SamlIdp) -> None:
    sp = make_sp(runtime, pysaml2_idp)
    document = (
        f'<samlp:Response xmlns:samlp="{SAMLP}" ID="_r" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">'
        '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"/>'
        "<samlp:StatusMessage>User cancelled</samlp:StatusMessage></samlp:Status></samlp:Response>"
    )
    refused = sp.refusal(base64.b64encode(document.encode()).decode(), "_r")
    _assert_refused(refused, "status")
    assert refused.description == "Invalid SAML response received: the identity provider answered User cancelled."


def test_saml_response__replay_refused(runtime: Runtime, any_idp: SamlIdp) -> None:
    sp = make_sp(runtime, any_idp)
    request_id, post = sp.sign_in()
    sp.accept(post.saml_response, request_id)
    _assert_refused(sp.refusal(post.saml_response, request_id), "replay")


def test_saml_response__wrong_audience_refused(runtime: Runtime, any_idp: SamlIdp) -> None:
    """The response for one pool posted to another pool with the same provider."""
    first = make_sp(runtime, any_idp)
    second = make_sp(runtime, any_idp)
    request_id, post = first.sign_in()
    refused = second.refusal(post.saml_response, request_id)
    _assert_refused(refused, "audience")
    assert sp_entity_id(second.pool_id) in refused.description


def test_saml_response__wrong_recipient_refused(runtime: Runtime, samlify_idp: SamlIdp) -> None:
    sp = make_sp(runtime, samlify_idp)
    request_id, post = sp.sign_in()
    elsewhere = accept_saml_response
    with pytest.raises(SamlResponseError) as refused:
        elsewhere(sp.ctx(), sp.provider, "http://127.0.0.1:9230", post.saml_response, request_id)
    _assert_refused(refused.value, "destination")
    # Without the (unsigned) Response's Destination, the signed assertion's Recipient still says where it goes.
    root = tree(post)
    del root.attrib["Destination"]
    with pytest.raises(SamlResponseError) as refused:
        elsewhere(sp.ctx(), sp.provider, "http://127.0.0.1:9230", encoded(root), request_id)
    _assert_refused(refused.value, "recipient")


def test_saml_response__expired_refused(runtime: Runtime, any_idp: SamlIdp) -> None:
    sp = make_sp(runtime, any_idp)
    request_id, post = sp.sign_in()
    # Both IdPs give five minutes; three more of clock skew are allowed.
    _assert_refused(sp.refusal(post.saml_response, request_id, now=time.time() + 9 * 60), "expired")
    assert sp.accept(post.saml_response, request_id, now=time.time() + 7 * 60).name_id.value


def test_saml_response__in_response_to_mismatch_refused(runtime: Runtime, any_idp: SamlIdp) -> None:
    sp = make_sp(runtime, any_idp)
    _, post = sp.sign_in()
    _assert_refused(sp.refusal(post.saml_response, "_another-request"), "in_response_to")
    # Nor is an answer to a request taken as an IdP-initiated one.
    _assert_refused(sp.refusal(post.saml_response, None), "in_response_to")


def test_saml_response__idp_initiated(runtime: Runtime, any_idp: SamlIdp) -> None:
    sp = make_sp(runtime, any_idp, IDPInit="true")
    post = any_idp.idp_initiated(sp_entity_id(sp.pool_id), "identity_provider=Corp&client_id=abc")
    assert post.fields["RelayState"] == "identity_provider=Corp&client_id=abc"
    assert "InResponseTo" not in post.xml
    # Unsolicited where a request was made: refused.
    _assert_refused(sp.refusal(post.saml_response, "_our-request"), "in_response_to")
    # Issued more than six minutes ago: refused, though still within its NotOnOrAfter and the skew.
    _assert_refused(sp.refusal(post.saml_response, None, now=time.time() + 7 * 60), "issue_instant")
    assert sp.accept(post.saml_response, None).name_id.value in any_idp.users


def test_saml_response__sha1_signature_refused(runtime: Runtime, pysaml2_sha1_idp: SamlIdp) -> None:
    sp = make_sp(runtime, pysaml2_sha1_idp)
    request_id, post = sp.sign_in()
    assert "xmldsig#rsa-sha1" in post.xml
    _assert_refused(sp.refusal(post.saml_response, request_id), "sha1", "server_error")


def test_saml_response__doctype_and_external_entity_refused(runtime: Runtime, pysaml2_idp: SamlIdp) -> None:
    sp = make_sp(runtime, pysaml2_idp)
    request_id, post = sp.sign_in()
    body = post.xml.split("?>", 1)[-1]
    external = '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + body.replace(">alice<", ">&x;<", 1)
    laughs = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' + body
    for document in (external, laughs, "<!DOCTYPE r>" + body):
        refused = sp.refusal(base64.b64encode(document.encode()).decode(), request_id)
        _assert_refused(refused, "doctype")


def test_saml_response__malformed_input_refused(runtime: Runtime, pysaml2_idp: SamlIdp) -> None:
    sp = make_sp(runtime, pysaml2_idp)
    _assert_refused(sp.refusal("A" * 100_001, "_r"), "too_long")
    _assert_refused(sp.refusal("not base64!", "_r"), "base64")
    _assert_refused(sp.refusal(base64.b64encode(b"<unclosed").decode(), "_r"), "malformed")
    _assert_refused(sp.refusal(base64.b64encode(b"<Response/>").decode(), "_r"), "malformed")


def test_saml_logout__round_trip(runtime: Runtime, any_idp: SamlIdp) -> None:
    sp = make_sp(runtime, any_idp, IDPSignout="true")
    request_id, post = sp.sign_in()
    assertion = sp.accept(post.saml_response, request_id)
    redirect = logout_request_redirect(sp.ctx(), sp.provider, assertion.name_id, assertion.session_index, "bye")
    assert "&SigAlg=" in redirect.url and "&Signature=" in redirect.url
    answer = any_idp.logout(redirect.url)
    assert answer.action == BASE + "/saml2/logout" and answer.fields["RelayState"] == "bye"
    outcome = accept_logout_response(sp.provider, BASE, answer.saml_response)
    assert outcome.succeeded and outcome.in_response_to == redirect.request_id
    # An unsigned LogoutRequest is refused by the IdP: ours are always signed, so strip the signature.
    any_idp.refuses(redirect.url.split("&SigAlg=", 1)[0])


def test_saml_logout__idp_initiated_request_answered(runtime: Runtime, pysaml2_idp: SamlIdp) -> None:
    sp = make_sp(runtime, pysaml2_idp, IDPSignout="true")
    post = pysaml2_idp.idp_logout(sp_entity_id(sp.pool_id), "alice", "session-7", "idp-relay")
    assert post.action == BASE + "/saml2/logout"
    received = accept_logout_request(sp.ctx(), sp.provider, BASE, post.saml_request)
    assert received.name_id.value == "alice" and received.session_indexes == ("session-7",)
    redirect = logout_response_redirect(sp.ctx(), sp.provider, received.request_id, post.fields["RelayState"])
    assert "&RelayState=idp-relay&SigAlg=" in redirect.url
    assert pysaml2_idp.answered(redirect.url) == f"urn:oasis:names:tc:SAML:2.0:status:Success {received.request_id}"
    # Unsigned, or from another pool's point of view, it is refused.
    root = etree.fromstring(base64.b64decode(post.saml_request))
    signature = root.find("ds:Signature", NS)
    assert signature is not None
    root.remove(signature)
    with pytest.raises(SamlResponseError) as refused:
        accept_logout_request(sp.ctx(), sp.provider, BASE, encoded(root))
    _assert_refused(refused.value, "unsigned", "server_error")
    with pytest.raises(SamlResponseError) as refused:
        accept_logout_request(sp.ctx(), sp.provider, "http://127.0.0.1:9230", post.saml_request)
    _assert_refused(refused.value, "destination")


def test_saml_attributes__multi_valued_joined_as_cognito_does() -> None:
    assertion = SamlAssertion(
        issuer="https://idp.example",
        assertion_id="_a",
        name_id=NameId("alice"),
        session_index=None,
        attributes={"one": ("a b",), "many": ("RIDY-RUMESH", "a b/c", "x.y*z_1"), "none": ()},
        issue_instant=0.0,
        not_on_or_after=0.0,
    )
    assert cognito_attribute_values(assertion) == {"one": "a b", "many": "[RIDY-RUMESH, a+b%2Fc, x.y*z_1]"}
