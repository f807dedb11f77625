"""Which identity-provider URLs the server fetches or redirects to (model/idp_urls.py)."""

from __future__ import annotations

import pytest

from userpool.model.idp_urls import idp_url_refusal


@pytest.mark.parametrize(
    "url",
    [
        "https://accounts.google.com",
        "https://idp.example.com/.well-known/openid-configuration",
        "https://idp.example.com:443/token",
        "https://people.googleapis.com/v1/people/me?personFields=",
        "HTTPS://IdP.Example.com/auth",
    ],
)
def test_idp_url__https_on_port_443_is_allowed_without_the_switch(url: str) -> None:
    assert idp_url_refusal(url, allow_http=False) is None
    assert idp_url_refusal(url, allow_http=True) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://idp.example.com/token", "must use https"),
        ("http://127.0.0.1:4400/token", "must use https"),
        ("https://idp.example.com:8443/token", "must use port 443"),
        ("https://127.0.0.1:4400/token", "must use port 443"),
    ],
)
def test_idp_url__http_or_another_port_is_refused_without_the_switch(url: str, reason: str) -> None:
    assert idp_url_refusal(url, allow_http=False) == reason


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:4400/.well-known/openid-configuration",
        "http://127.8.9.10/token",
        "http://localhost:8080/jwks",
        "http://LOCALHOST/jwks",
        "http://[::1]:4400/token",
        "http://[::ffff:127.0.0.1]:4400/token",
        "http://10.1.2.3/token",
        "http://172.16.0.5:8000/token",
        "http://192.168.1.20/token",
        "https://192.168.1.20:8443/token",
        "http://[fd00::5]/token",
    ],
)
def test_idp_url__the_switch_allows_http_and_any_port_on_loopback_and_private_addresses(url: str) -> None:
    assert idp_url_refusal(url, allow_http=True) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://idp.example.com/token",
        "https://idp.example.com:8443/token",
        "http://8.8.8.8/token",
        # Documentation, shared (carrier-grade NAT) and reserved ranges are not private networks.
        "http://203.0.113.7:8080/token",
        "http://192.0.2.1/token",
        "http://100.64.0.1/token",
        "http://240.0.0.1/token",
        "http://255.255.255.255/token",
        # Names are not resolved: a public name pointing at 127.0.0.1 does not count as loopback.
        "http://localtest.me/token",
        "http://127.0.0.1.nip.io/token",
        # Cloud metadata services live on link-local addresses.
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/token",
        "http://0.0.0.0:4400/token",
        "http://[::]:4400/token",
    ],
)
def test_idp_url__the_switch_still_refuses_public_and_link_local_hosts(url: str) -> None:
    assert (
        idp_url_refusal(url, allow_http=True)
        == "may use http or a port other than 443 only on a loopback or private address"
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "is not an absolute https URL"),
        ("idp.example.com/token", "is not an absolute https URL"),
        ("/token", "is not an absolute https URL"),
        ("ftp://idp.example.com/token", "is not an absolute https URL"),
        ("file:///etc/passwd", "is not an absolute https URL"),
        ("javascript:alert(1)", "is not an absolute https URL"),
        ("https:///token", "is not an absolute https URL"),
        ("https://idp.example.com:99999/token", "is not a valid URL"),
        ("https://idp.example.com:x/token", "is not a valid URL"),
        ("https://[::1/token", "is not a valid URL"),
        ("https://user:pass@idp.example.com/token", "must not contain user credentials"),
        ("https://user@idp.example.com/token", "must not contain user credentials"),
        ("https://idp.example.com/token#frag", "must not contain a fragment"),
        ("https://idp.example.com/token#", "must not contain a fragment"),
        ("https://idp.example.com/to ken", "must not contain whitespace or control characters"),
        ("https://idp.example.com/\ttoken", "must not contain whitespace or control characters"),
        (" https://idp.example.com/token", "must not contain whitespace or control characters"),
    ],
)
def test_idp_url__malformed_urls_are_refused_whatever_the_switch(url: str, reason: str) -> None:
    assert idp_url_refusal(url, allow_http=False) == reason
    assert idp_url_refusal(url, allow_http=True) == reason
