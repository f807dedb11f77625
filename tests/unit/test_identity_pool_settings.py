"""The ``identity_pools`` settings: the OpenID tokens' issuer and the STS GetCredentialsForIdentity asks, from TOML
and the environment, and URLs that are not http(s) refused at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from userpool.config import IdentityPoolSettings, load_settings


def test_settings__identity_pools_default_to_the_public_url_and_aws_sts() -> None:
    settings = load_settings(environ={"USERPOOL_PUBLIC_URL": "https://id.example.com/"})
    assert settings.identity_pools == IdentityPoolSettings()
    assert settings.identity_issuer == "https://id.example.com/identity"


def test_settings__identity_pools_from_toml_with_the_environment_on_top(tmp_path: Path) -> None:
    path = tmp_path / "userpool.toml"
    path.write_text(
        '[identity_pools]\nissuer = "https://ids.example.com/cognito-identity"\n'
        'sts_endpoint = "https://sts.{region}.amazonaws.com/"\n'
    )
    settings = load_settings(
        environ={"USERPOOL_IDENTITY_POOLS__STS_ENDPOINT": "http://127.0.0.1:4566/"}, toml_path=path
    )
    assert settings.identity_pools == IdentityPoolSettings(
        issuer="https://ids.example.com/cognito-identity", sts_endpoint="http://127.0.0.1:4566/"
    )
    assert settings.identity_issuer == "https://ids.example.com/cognito-identity"


@pytest.mark.parametrize("name", ["ISSUER", "STS_ENDPOINT"])
def test_settings__identity_pools_urls_must_be_http(name: str) -> None:
    with pytest.raises(ValueError, match=f"identity_pools.{name.lower()} must be an http"):
        load_settings(environ={f"USERPOOL_IDENTITY_POOLS__{name}": "ftp://example.com/"})
    with pytest.raises(ValueError, match="unknown settings in \\[identity_pools\\]"):
        load_settings(environ={"USERPOOL_IDENTITY_POOLS__NOPE": "x"})
