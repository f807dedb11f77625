"""The ``federation`` setting: loopback providers over http, and social providers' fixed URLs replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from userpool.config import FederationSettings, SocialEndpoints, load_settings


def test_settings__federation_defaults_to_aws_rules() -> None:
    federation = load_settings(environ={}).federation
    assert federation == FederationSettings()
    assert federation.allow_http_idp_urls is False
    assert federation.endpoints_of("Google") == SocialEndpoints()


def test_settings__federation_from_the_environment() -> None:
    federation = load_settings(
        environ={
            "USERPOOL_FEDERATION__ALLOW_HTTP_IDP_URLS": "true",
            "USERPOOL_FEDERATION__SOCIAL_ENDPOINTS__GOOGLE__AUTHORIZE_URL": "http://127.0.0.1:4400/auth",
            "USERPOOL_FEDERATION__SOCIAL_ENDPOINTS__GOOGLE__OIDC_ISSUER": "http://127.0.0.1:4400",
            "USERPOOL_FEDERATION__SOCIAL_ENDPOINTS__FACEBOOK__TOKEN_REQUEST_METHOD": "POST",
        }
    ).federation
    assert federation.allow_http_idp_urls is True
    assert federation.endpoints_of("Google") == SocialEndpoints(
        authorize_url="http://127.0.0.1:4400/auth", oidc_issuer="http://127.0.0.1:4400"
    )
    assert federation.endpoints_of("Facebook").token_request_method == "POST"
    assert federation.endpoints_of("SignInWithApple") == SocialEndpoints()


def test_settings__federation_from_toml_with_the_environment_on_top(tmp_path: Path) -> None:
    path = tmp_path / "userpool.toml"
    path.write_text(
        "[federation]\n"
        "allow_http_idp_urls = false\n"
        "[federation.social_endpoints.LoginWithAmazon]\n"
        'authorize_url = "http://10.0.0.5/ap/oa"\n'
        'token_url = "http://10.0.0.5/auth/o2/token"\n'
    )
    federation = load_settings(
        environ={
            "USERPOOL_FEDERATION__ALLOW_HTTP_IDP_URLS": "1",
            "USERPOOL_FEDERATION__SOCIAL_ENDPOINTS__LOGINWITHAMAZON__TOKEN_URL": "http://10.0.0.6/token",
        },
        toml_path=path,
    ).federation
    assert federation.allow_http_idp_urls is True
    assert federation.endpoints_of("LoginWithAmazon") == SocialEndpoints(
        authorize_url="http://10.0.0.5/ap/oa", token_url="http://10.0.0.6/token"
    )


@pytest.mark.parametrize(
    "environ",
    [
        {"USERPOOL_FEDERATION__SOCIAL_ENDPOINTS__GITHUB__AUTHORIZE_URL": "http://x"},
        {"USERPOOL_FEDERATION__SOCIAL_ENDPOINTS__GOOGLE__CLIENT_SECRET": "x"},
        {"USERPOOL_FEDERATION__ALLOW_ANYTHING": "true"},
    ],
)
def test_settings__federation_refuses_unknown_names(environ: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        load_settings(environ=environ)


def test_settings__federation_toml_refuses_an_unknown_provider_type(tmp_path: Path) -> None:
    path = tmp_path / "userpool.toml"
    path.write_text('[federation.social_endpoints.OIDC]\nauthorize_url = "http://x"\n')
    with pytest.raises(ValueError, match="OIDC"):
        load_settings(environ={}, toml_path=path)
