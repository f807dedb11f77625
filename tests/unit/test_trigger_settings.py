"""The ``triggers`` setting: from the environment and from a TOML file (the built-in cognito-migration
targets' tables among them), and which target an ARN gets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from userpool.config import TriggerTarget, load_settings
from userpool.migration_settings import CognitoSource
from userpool.triggers.targets import target_for

ARN = "arn:aws:lambda:us-east-1:123456789012:function:PreSignUpFn"


def test_settings__triggers_from_the_environment() -> None:
    settings = load_settings(
        environ={
            "USERPOOL_TRIGGERS": f"PreSignUpFn=app.triggers:pre_sign_up, {ARN}:live=https://hooks.example/t?a=1",
            "USERPOOL_TRIGGER_SECRET": "s3cret",
            "USERPOOL_TRIGGER_TIMEOUT_SECONDS": "2.5",
        }
    )
    assert settings.triggers == (
        TriggerTarget("PreSignUpFn", "app.triggers:pre_sign_up"),
        TriggerTarget(f"{ARN}:live", "https://hooks.example/t?a=1"),
    )
    assert (settings.trigger_secret, settings.trigger_timeout_seconds) == ("s3cret", 2.5)


def test_settings__triggers_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "userpool.toml"
    path.write_text(
        'trigger_secret = "server-wide"\n'
        "[triggers]\n"
        'PreSignUpFn = "app.triggers:pre_sign_up"\n'
        f'"{ARN}" = {{ target = "https://hooks.example/pre", secret = "per-target" }}\n'
    )
    settings = load_settings(environ={}, toml_path=path)
    assert settings.triggers == (
        TriggerTarget("PreSignUpFn", "app.triggers:pre_sign_up"),
        TriggerTarget(ARN, "https://hooks.example/pre", "per-target"),
    )


@pytest.mark.parametrize("value", ["PreSignUpFn", "PreSignUpFn=not-a-target", "=app:fn", "Fn=a:b:c"])
def test_settings__malformed_triggers_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="trigger"):
        load_settings(environ={"USERPOOL_TRIGGERS": value})


def test_target_for__an_exact_arn_wins_over_the_function_name() -> None:
    by_name = TriggerTarget("PreSignUpFn", "app.triggers:any_region")
    exact = TriggerTarget(ARN, "app.triggers:this_one")
    settings = load_settings(environ={}).replace(triggers=(by_name, exact))
    assert target_for(settings, ARN) == exact
    assert target_for(settings, ARN.replace("us-east-1", "eu-west-1")) == by_name
    assert target_for(settings, f"{ARN}:prod") == by_name
    assert target_for(settings, ARN.replace("PreSignUpFn", "Other")) is None


SOURCE_TOML = (
    "[triggers.MigrateUserFn]\n"
    'target = "cognito-migration"\n'
    'user_pool_id = "eu-west-1_AbCdEf123"\n'
    'client_id = "4k2j9x7v0q8m1n3b5c6d7f8g9h"\n'
    'access_key_id = "AKIAOLDPOOL"\n'
)


def test_settings__cognito_migration_target_from_toml_with_aws_defaults(tmp_path: Path) -> None:
    path = tmp_path / "userpool.toml"
    path.write_text(SOURCE_TOML + 'secret_access_key = "old-pool-secret"\nsub_attribute = "custom:cognito_sub"\n')
    [target] = load_settings(environ={}, toml_path=path).triggers
    assert (target.function, target.target) == ("MigrateUserFn", "cognito-migration")
    assert target.source == CognitoSource(
        user_pool_id="eu-west-1_AbCdEf123",
        client_id="4k2j9x7v0q8m1n3b5c6d7f8g9h",
        region="eu-west-1",
        endpoint_url="https://cognito-idp.eu-west-1.amazonaws.com/",
        access_key_id="AKIAOLDPOOL",
        secret_access_key="old-pool-secret",
        sub_attribute="custom:cognito_sub",
    )
    # The secrets never show in a log line or traceback that prints the settings.
    assert "old-pool-secret" not in repr(load_settings(environ={}, toml_path=path))


def test_settings__cognito_migration_secrets_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "userpool.toml"
    path.write_text(SOURCE_TOML + "[triggers.PreSignUpFn]\ntarget = 'app.triggers:pre_sign_up'\n")
    secrets = {"MigrateUserFn": {"secret_access_key": "from-env", "client_secret": "client-from-env"}}
    settings = load_settings(environ={"USERPOOL_TRIGGERS": json.dumps(secrets)}, toml_path=path)
    migrate, pre_sign_up = settings.triggers
    assert migrate.source is not None
    assert (migrate.source.secret_access_key, migrate.source.client_secret) == ("from-env", "client-from-env")
    assert migrate.source.access_key_id == "AKIAOLDPOOL"
    assert pre_sign_up == TriggerTarget("PreSignUpFn", "app.triggers:pre_sign_up")
    # A whole target given as JSON, with a source reached over plain HTTP on this machine (a test's).
    whole = {
        "MigrateUserFn": {
            "target": "cognito-migration",
            "user_pool_id": "us-east-1_Old",
            "client_id": "abc",
            "access_key_id": "AKIA",
            "secret_access_key": "s",
            "region": "cn-north-1",
            "auth_flow": "USER_SRP_AUTH",
        }
    }
    [target] = load_settings(environ={"USERPOOL_TRIGGERS": json.dumps(whole)}).triggers
    assert target.source is not None
    assert (target.source.region, target.source.endpoint_url, target.source.auth_flow) == (
        "cn-north-1",
        "https://cognito-idp.cn-north-1.amazonaws.com.cn/",
        "USER_SRP_AUTH",
    )
    whole["MigrateUserFn"]["endpoint_url"] = "http://127.0.0.1:9230"
    [local] = load_settings(environ={"USERPOOL_TRIGGERS": json.dumps(whole)}).triggers
    assert local.source is not None and local.source.endpoint_url == "http://127.0.0.1:9230"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("", "needs secret_access_key"),
        ('secret_access_key = "s"\nendpoint_url = "http://cognito.example"\n', "https:// unless"),
        ('secret_access_key = "s"\nauth_flow = "USER_PASSWORD_AUTH"\n', "auth_flow must be"),
        ('secret_access_key = "s"\nsub_attribute = "nickname"\n', "custom attribute"),
        ('secret_access_key = "s"\nregion = "nowhere"\n', "not an AWS region"),
        ('secret_access_key = "s"\npassword = "x"\n', "unknown cognito-migration settings password"),
    ],
)
def test_settings__malformed_cognito_migration_targets_are_refused(tmp_path: Path, extra: str, message: str) -> None:
    path = tmp_path / "userpool.toml"
    path.write_text(SOURCE_TOML + extra)
    with pytest.raises(ValueError, match=message):
        load_settings(environ={}, toml_path=path)


@pytest.mark.parametrize("value", ["MigrateUserFn=cognito-migration", '{"MigrateUserFn": 1', "[]"])
def test_settings__cognito_migration_needs_a_table(value: str) -> None:
    with pytest.raises(ValueError, match=r"trigger|TRIGGERS"):
        load_settings(environ={"USERPOOL_TRIGGERS": value})
