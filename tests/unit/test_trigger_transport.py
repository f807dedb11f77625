"""Which transport reaches each configured trigger target: chosen once, by ``app.trigger_functions``."""

from __future__ import annotations

from userpool.app import trigger_functions
from userpool.config import TriggerTarget, load_settings
from userpool.migration_settings import CognitoSource
from userpool.triggers.cognito_migration import CognitoMigrationTransport
from userpool.triggers.python_target import PythonTransport
from userpool.triggers.transport import Route, TriggerFunctions
from userpool.triggers.webhook import WebhookTransport

ARN = "arn:aws:lambda:us-east-1:123456789012:function:PreSignUpFn"


def _route(functions: TriggerFunctions, arn: str) -> Route:
    found = functions.route(arn)
    assert found is not None, arn
    return found


def test_trigger_functions__a_url_gets_the_webhook_and_a_callable_runs_in_process() -> None:
    python = TriggerTarget("PreSignUpFn", "app.triggers:pre_sign_up")
    https = TriggerTarget("CustomMessageFn", "https://hooks.example/message", "per-target")
    http = TriggerTarget("PostConfirmationFn", "http://127.0.0.1:8080/confirm")
    settings = load_settings(environ={}).replace(
        triggers=(python, https, http), trigger_secret="server-wide", trigger_timeout_seconds=2.5
    )
    functions = trigger_functions(settings)
    assert functions.timeout == 2.5
    routes = [_route(functions, f"arn:aws:lambda:eu-west-1:1:function:{t.function}") for t in settings.triggers]
    assert [route.target for route in routes] == [python, https, http]
    assert [type(route.transport) for route in routes] == [PythonTransport, WebhookTransport, WebhookTransport]
    webhook = routes[1].transport
    assert isinstance(webhook, WebhookTransport) and webhook.default_secret == "server-wide"


def test_trigger_functions__an_exact_arn_wins_and_an_unknown_function_has_no_route() -> None:
    by_name = TriggerTarget("PreSignUpFn", "https://hooks.example/any-region")
    exact = TriggerTarget(ARN, "app.triggers:this_one")
    functions = trigger_functions(load_settings(environ={}).replace(triggers=(by_name, exact)))
    assert _route(functions, ARN).target == exact
    assert isinstance(_route(functions, ARN).transport, PythonTransport)
    assert _route(functions, f"{ARN}:prod").target == by_name
    assert isinstance(_route(functions, f"{ARN}:prod").transport, WebhookTransport)
    assert functions.route(ARN.replace("PreSignUpFn", "Other")) is None


def test_trigger_functions__a_cognito_migration_target_gets_the_built_in_function() -> None:
    source = CognitoSource("eu-west-1_Old", "client", "eu-west-1", "https://cognito.example/", "AKIA", "secret")
    migrate = TriggerTarget("MigrateUserFn", "cognito-migration", source=source)
    other = TriggerTarget("OtherMigrateFn", "cognito-migration", source=source)
    built_in = CognitoMigrationTransport()
    functions = trigger_functions(load_settings(environ={}).replace(triggers=(migrate, other)), built_in)
    route = _route(functions, "arn:aws:lambda:eu-west-1:1:function:MigrateUserFn")
    assert route.target == migrate and route.transport is built_in
    assert _route(functions, "arn:aws:lambda:eu-west-1:1:function:OtherMigrateFn").transport is built_in
