"""A SAML 2.0 identity provider for the federation tests: PyPI pysaml2's IdP (``saml2.server.Server``, with
Debian's xmlsec1), with only the glue a test needs around it. Started by tests/federation/saml_idps.py;
configured by the JSON in the environment variable IDP_CONFIG:

  key_pem, cert_pem:  the IdP's signing key and certificate
  users:              {user: {email, givenName, sn, groups: [...]}}; NameID = the user's name (persistent)
  default_user:       who signs in when the request names nobody (``&user=`` beside the SAML parameters)
  sp_metadata:        service providers' metadata documents it trusts (more are added by POST /sp-metadata)
  encrypt:            ENCRYPT: assertions encrypted to the SP's encryption certificate (its metadata)
  sign_sha1:          SIGN_SHA1: responses signed with RSA-SHA1 and SHA-1 digests (a negative test)
  port:               the port to listen on (default: a free one), so that a restart with another key
                      answers at the same URLs, as an IdP that rotated its signing key does
  public_base:        the base URL its entity ID and endpoints name (default: where it listens): an
                      impostor of another IdP, signing with a key of its own

Routes: GET /metadata; GET /sso/redirect (an AuthnRequest by HTTP-Redirect; its query signature, when it
has one, checked with the SP's certificate: 400 when it fails) answers with a page that auto-posts the
signed Response (Response and assertion signed, RSA-SHA256/SHA-256) to the ACS; GET
/idp-init?user=&RelayState=&sp= the same without a request; GET /slo/redirect (a LogoutRequest, which must be
signed) answers with a signed LogoutResponse auto-posted to the SP's SingleLogoutService, and the SP's signed
LogoutResponse to one of its own requests is answered with its status code and InResponseTo as text; GET
/idp-logout?user=&session_index=&RelayState=&sp= auto-posts a signed LogoutRequest to the SP; POST /sp-metadata
(the body: an SP's metadata) trusts one more SP, replacing an earlier document of the same entity ID;
GET /metadata-fetches: how many times /metadata was served.
It listens on 127.0.0.1 on a free port, prints one JSON line {"issuer": <base URL>} once it accepts
requests, and exits when its standard input closes, so that it cannot outlive the test run that started it.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import tempfile
import threading
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from defusedxml.ElementTree import fromstring
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml, xmldsig
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.sigver import verify_redirect_signature

CONFIG: dict[str, Any] = json.loads(os.environ.get("IDP_CONFIG", "{}"))
KEYS = Path(tempfile.mkdtemp(prefix="saml-idp-"))
SP_METADATA: dict[str, str] = {}
STATE: dict[str, Any] = {}


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write("%s\n" % (format % args))


def _entity_id_of(document: str) -> str:
    return str(fromstring(document.encode("utf-8")).get("entityID"))


def _server(base: str) -> Server:
    config = {
        "entityid": base + "/metadata",
        "service": {
            "idp": {
                "endpoints": {
                    "single_sign_on_service": [
                        (base + "/sso/redirect", BINDING_HTTP_REDIRECT),
                        (base + "/sso/post", BINDING_HTTP_POST),
                    ],
                    "single_logout_service": [(base + "/slo/redirect", BINDING_HTTP_REDIRECT)],
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None}},
                "want_authn_requests_signed": False,
            }
        },
        "key_file": str(KEYS / "idp.key"),
        "cert_file": str(KEYS / "idp.crt"),
        "encryption_keypairs": [{"key_file": str(KEYS / "idp.key"), "cert_file": str(KEYS / "idp.crt")}],
        "metadata": {"inline": list(SP_METADATA.values())},
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "allow_unknown_attributes": True,
    }
    idp_config = IdPConfig()
    idp_config.load(config)
    return Server(config=idp_config)


def _form(action: str, fields: dict[str, str]) -> bytes:
    inputs = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}"/>' for k, v in fields.items())
    return (
        f'<html><body onload="document.forms[0].submit()"><form method="post" action="{escape(action)}">'
        f'{inputs}<input type="submit" value="Continue"/></form></body></html>'
    ).encode()


def _signature_checked(idp: Server, sp_entity_id: str, params: dict[str, str]) -> bool:
    """The query signature of a Redirect-binding request against the SP's signing certificates."""
    names = ("SAMLRequest", "SAMLResponse", "RelayState", "SigAlg", "Signature")
    message = {k: params[k] for k in names if k in params}
    for certificate in idp.metadata.certs(sp_entity_id, "spsso", "signing"):
        cert = certificate[1] if isinstance(certificate, tuple) else certificate
        if verify_redirect_signature(message, idp.sec.sec_backend, cert=cert):
            return True
    return False


def _algorithms() -> dict[str, str]:
    if CONFIG.get("sign_sha1"):
        return {"sign_alg": xmldsig.SIG_RSA_SHA1, "digest_alg": xmldsig.DIGEST_SHA1}
    return {"sign_alg": xmldsig.SIG_RSA_SHA256, "digest_alg": xmldsig.DIGEST_SHA256}


def _user(params: dict[str, str]) -> tuple[str, dict[str, list[str]]]:
    name = params.get("user") or CONFIG.get("default_user", "alice")
    found = CONFIG["users"][name]
    return name, {k: v if isinstance(v, list) else [v] for k, v in found.items()}


def _authn_response(idp: Server, sp_entity_id: str, acs: str, in_response_to: str | None, user: str) -> str:
    name, identity = _user({"user": user})
    name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=name, sp_name_qualifier=sp_entity_id)
    response = idp.create_authn_response(
        identity,
        in_response_to,
        acs,
        sp_entity_id,
        name_id=name_id,
        authn={"class_ref": saml.AUTHN_PASSWORD, "authn_auth": STATE["base"]},
        sign_response=True,
        sign_assertion=True,
        encrypt_assertion=bool(CONFIG.get("encrypt")),
        encrypt_assertion_self_contained=True,
        **_algorithms(),
    )
    return str(response)


def _post(message: str, destination: str, relay_state: str | None, field: str = "SAMLResponse") -> bytes:
    """The HTTP-POST binding (saml-bindings §3.5): the signed XML, base64, in an auto-submitted form."""
    fields = {field: base64.b64encode(message.encode()).decode()}
    if relay_state:
        fields["RelayState"] = relay_state
    return _form(destination, fields)


def _sso(idp: Server, params: dict[str, str]) -> tuple[str, bytes]:
    request = idp.parse_authn_request(params["SAMLRequest"], BINDING_HTTP_REDIRECT)
    sp_entity_id = request.message.issuer.text
    if "Signature" in params and not _signature_checked(idp, sp_entity_id, params):
        return "400 Bad Request", b"the request's signature does not verify"
    arguments = idp.response_args(request.message, [BINDING_HTTP_POST])
    acs = arguments["destination"]
    name, _ = _user(params)
    response = _authn_response(idp, sp_entity_id, acs, request.message.id, name)
    return "200 OK", _post(response, acs, params.get("RelayState"))


def _idp_initiated(idp: Server, params: dict[str, str]) -> tuple[str, bytes]:
    sp_entity_id = params.get("sp") or _entity_id_of(next(iter(SP_METADATA.values())))
    acs = idp.metadata.assertion_consumer_service(sp_entity_id, BINDING_HTTP_POST)[0]["location"]
    name, _ = _user(params)
    response = _authn_response(idp, sp_entity_id, acs, None, name)
    return "200 OK", _post(response, acs, params.get("RelayState"))


def _slo(idp: Server, params: dict[str, str]) -> tuple[str, bytes]:
    if "SAMLResponse" in params:
        return _slo_answered(idp, params)
    request = idp.parse_logout_request(params["SAMLRequest"], BINDING_HTTP_REDIRECT)
    sp_entity_id = request.message.issuer.text
    if not _signature_checked(idp, sp_entity_id, params):
        return "400 Bad Request", b"a LogoutRequest must be signed, and this signature does not verify"
    response = idp.create_logout_response(request.message, [BINDING_HTTP_POST], sign=True, **_algorithms())
    destination = idp.metadata.single_logout_service(sp_entity_id, BINDING_HTTP_POST, "spsso")[0]["location"]
    return "200 OK", _post(str(response), destination, params.get("RelayState"))


def _slo_answered(idp: Server, params: dict[str, str]) -> tuple[str, bytes]:
    """The SP's LogoutResponse to our LogoutRequest: its signature checked; its status code as the page."""
    answer = idp.parse_logout_request_response(params["SAMLResponse"], BINDING_HTTP_REDIRECT)
    sp_entity_id = answer.response.issuer.text
    if not _signature_checked(idp, sp_entity_id, params):
        return "400 Bad Request", b"the LogoutResponse's signature does not verify"
    in_response_to = answer.response.in_response_to
    if in_response_to not in STATE.setdefault("logout_requests", set()):
        return "400 Bad Request", b"the LogoutResponse answers no request of ours"
    return "200 OK", f"{answer.response.status.status_code.value} {in_response_to}".encode()


def _idp_logout(idp: Server, params: dict[str, str]) -> tuple[str, bytes]:
    """An IdP-initiated logout: a signed LogoutRequest for ``user`` (and ``session_index``) posted to the SP."""
    sp_entity_id = params.get("sp") or _entity_id_of(next(iter(SP_METADATA.values())))
    destination = idp.metadata.single_logout_service(sp_entity_id, BINDING_HTTP_POST, "spsso")[0]["location"]
    name, _ = _user(params)
    request_id, request = idp.create_logout_request(
        destination,
        sp_entity_id,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=name, sp_name_qualifier=sp_entity_id),
        session_indexes=[params["session_index"]] if params.get("session_index") else None,
        sign=True,
        **_algorithms(),
    )
    STATE.setdefault("logout_requests", set()).add(request_id)
    return "200 OK", _post(str(request), destination, params.get("RelayState"), field="SAMLRequest")


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    path = environ["PATH_INFO"]
    params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
    try:
        if path == "/metadata-fetches":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [str(STATE.get("metadata_fetches", 0)).encode()]
        if path == "/metadata":
            STATE["metadata_fetches"] = STATE.get("metadata_fetches", 0) + 1
            body = str(entity_descriptor(STATE["idp"].config)).encode()
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [body]
        if path == "/sp-metadata" and environ["REQUEST_METHOD"] == "POST":
            document = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
            SP_METADATA[_entity_id_of(document)] = document
            STATE["idp"] = _server(STATE["base"])
            start_response("204 No Content", [])
            return [b""]
        routes = {"/sso/redirect": _sso, "/idp-init": _idp_initiated, "/slo/redirect": _slo, "/idp-logout": _idp_logout}
        if path not in routes:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        status, body = routes[path](STATE["idp"], params)
    except Exception as exc:
        status, body = "400 Bad Request", f"{type(exc).__name__}: {exc}".encode()
    start_response(status, [("Content-Type", "text/html; charset=utf-8")])
    return [body]


def _exit_with_parent() -> None:
    sys.stdin.read()
    os._exit(0)


def main() -> None:
    (KEYS / "idp.key").write_text(CONFIG["key_pem"])
    (KEYS / "idp.crt").write_text(CONFIG["cert_pem"])
    for document in CONFIG.get("sp_metadata", []):
        SP_METADATA[_entity_id_of(document)] = document
    httpd = make_server("127.0.0.1", int(CONFIG.get("port", 0)), app, handler_class=Quiet)
    listening = f"http://127.0.0.1:{httpd.server_port}"
    STATE["base"] = CONFIG.get("public_base") or listening
    STATE["idp"] = _server(STATE["base"])
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    print(json.dumps({"issuer": listening}), flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
