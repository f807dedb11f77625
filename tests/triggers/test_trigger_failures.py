"""Functions that raise, time out, answer garbage or are not there: Cognito's errors, nothing half-written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.errors import fails
from tests.support.mail import Inbox
from tests.triggers.conftest import TriggerServer, create_client, create_pool, events

PASSWORD = "Passw0rd!"

# Failing, raising and slow functions fail the same way whether they run in process or behind the webhook.
pytestmark = pytest.mark.every_transport


def _sign_up_fails(idp: Any, pool_id: str) -> tuple[str, str]:
    return fails(
        idp.sign_up,
        ClientId=create_client(idp, pool_id),
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )


def _nothing_written(server: TriggerServer, idp: Any, pool_id: str, mail: Inbox) -> None:
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []
    server.runtime.dispatcher.drain()
    with server.runtime.store.read() as tx:
        assert tx.outbox.recent(10) == []
    assert mail.mails == []


def test_sign_up__raising_function_is_a_user_lambda_validation_error(
    server: TriggerServer, idp: Any, mail: Inbox
) -> None:
    pool_id = create_pool(idp, {"PreSignUp": "failing"})
    assert _sign_up_fails(idp, pool_id) == (
        "UserLambdaValidationException",
        "PreSignUp failed with error 'userAttributes'.",
    )
    # A function error is the function's answer: it is not retried.
    assert len(events("failing")) == 1
    _nothing_written(server, idp, pool_id, mail)


def test_sign_up__raising_custom_message_creates_no_user(server: TriggerServer, idp: Any, mail: Inbox) -> None:
    pool_id = create_pool(idp, {"CustomMessage": "failing"})
    assert _sign_up_fails(idp, pool_id) == (
        "UserLambdaValidationException",
        "CustomMessage failed with error 'userAttributes'.",
    )
    _nothing_written(server, idp, pool_id, mail)


def test_sign_up__garbage_answer_is_an_invalid_lambda_response(server: TriggerServer, idp: Any, mail: Inbox) -> None:
    pool_id = create_pool(idp, {"PreSignUp": "garbage"})
    assert _sign_up_fails(idp, pool_id) == ("InvalidLambdaResponseException", "Unrecognizable lambda output")
    _nothing_written(server, idp, pool_id, mail)


def test_sign_up__timeout_is_retried_then_unexpected(start_server: Any, mail: Inbox) -> None:
    with start_server(trigger_timeout_seconds=0.3) as server:
        idp = server.client()
        pool_id = create_pool(idp, {"PreSignUp": "slow"})
        assert _sign_up_fails(idp, pool_id) == (
            "UnexpectedLambdaException",
            "PreSignUp invocation failed due to error TimeoutError.",
        )
        # Cognito gives a function three attempts.
        assert len(events("slow")) == 3
        _nothing_written(server, idp, pool_id, mail)


def test_sign_up__arn_without_target_is_unexpected(server: TriggerServer, idp: Any, mail: Inbox) -> None:
    pool_id = str(
        idp.create_user_pool(
            PoolName="unmapped",
            AutoVerifiedAttributes=["email"],
            LambdaConfig={"PreSignUp": "arn:aws:lambda:eu-west-1:123456789012:function:NotDeployedHere"},
        )["UserPool"]["Id"]
    )
    assert _sign_up_fails(idp, pool_id) == (
        "UnexpectedLambdaException",
        "PreSignUp invocation failed due to error ResourceNotFoundException.",
    )
    _nothing_written(server, idp, pool_id, mail)


@pytest.mark.parametrize("transport", ["webhook"])
def test_sign_up__webhook_refuses_a_wrong_signature(start_server: Any, mail: Inbox) -> None:
    with start_server(trigger_secret="not-the-webhook-secret") as server:
        idp = server.client()
        pool_id = create_pool(idp, {"PreSignUp": "pre_sign_up"})
        assert _sign_up_fails(idp, pool_id) == (
            "UnexpectedLambdaException",
            "PreSignUp invocation failed due to error ServiceException.",
        )
        assert server.webhook_refusals() == 1
        assert events("pre_sign_up") == []
        _nothing_written(server, idp, pool_id, mail)


def test_confirm_sign_up__post_confirmation_failure_reaches_the_caller_after_commit(
    server: TriggerServer, idp: Any, mail: Inbox
) -> None:
    pool_id = create_pool(idp, {"PostConfirmation": "failing"})
    client_id = create_client(idp, pool_id)
    idp.sign_up(
        ClientId=client_id,
        Username="bob",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "bob@example.com"}],
    )
    code = mail.next(server).code
    assert fails(idp.confirm_sign_up, ClientId=client_id, Username="bob", ConfirmationCode=code) == (
        "UserLambdaValidationException",
        "PostConfirmation failed with error 'userAttributes'.",
    )
    # The confirmation stands although the caller hears of the failure.
    assert idp.admin_get_user(UserPoolId=pool_id, Username="bob")["UserStatus"] == "CONFIRMED"
