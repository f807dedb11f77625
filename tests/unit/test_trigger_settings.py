"""The ``triggers`` setting: from the environment and from a TOML file, and which target an ARN gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from userpool.config import TriggerTarget, load_settings
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
