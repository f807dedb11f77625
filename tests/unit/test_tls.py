"""``userpool serve --tls self-signed``: a local authority and a server certificate in the data dir that a
client trusting the authority accepts over a real TLS connection; ``--tls-cert/--tls-key`` serve a given pair."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import uvicorn
from click.testing import CliRunner
from cryptography import x509
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.support.bridge import free_port, serving_uvicorn
from userpool.cli import main
from userpool.tls import self_signed


def test_tls__self_signed_certificate_is_made_once_and_trusted_through_its_authority(tmp_path: Path) -> None:
    files = self_signed(tmp_path, ["auth.example.test"])
    assert files.authority is not None and files.key.stat().st_mode & 0o077 == 0
    cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"localhost", "*.localhost", "auth.example.test"} <= set(names.get_values_for_type(x509.DNSName))
    again = self_signed(tmp_path, ["auth.example.test"])
    assert again.cert.read_bytes() == files.cert.read_bytes()

    app = Starlette(routes=[Route("/", lambda _: PlainTextResponse("ok"))])
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ssl_certfile=str(files.cert), ssl_keyfile=str(files.key)
    )
    with serving_uvicorn(config):
        trusting = ssl.create_default_context(cafile=str(files.authority))
        assert httpx.get(f"https://localhost:{port}/", verify=trusting).text == "ok"


def test_tls__cert_and_key_go_together(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("x")
    result = CliRunner().invoke(main, ["serve", "--data-dir", str(tmp_path / "data"), "--tls-cert", str(cert)])
    assert result.exit_code != 0 and "--tls-cert and --tls-key go together" in result.output
