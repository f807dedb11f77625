"""CUSTOM_AUTH driven by DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse through boto3:
a three-step challenge (captcha, secret question, a word to type back) that ends in tokens, the session history
the functions see, wrong answers and failAuthentication, the SRP_A-first variant with pycognito's SRP maths,
names no user has, and the errors of functions that fail."""

from __future__ import annotations

from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from tests.support.bridge import REGION
from tests.support.errors import fails
from tests.support.existence import outcome, shape
from tests.triggers.conftest import create_pool, events

PASSWORD = "Passw0rd!"
CUSTOM_TRIGGERS = {
    "DefineAuthChallenge": "define_auth_challenge",
    "CreateAuthChallenge": "create_auth_challenge",
    "VerifyAuthChallengeResponse": "verify_auth_challenge",
}
FLOWS = ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
WRONG = ("NotAuthorizedException", "Incorrect username or password.")


def _pool(idp: Any, triggers: dict[str, str] | None = None, **client: Any) -> tuple[str, str]:
    pool_id = create_pool(idp, triggers or CUSTOM_TRIGGERS)
    created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS, **client)
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": "alice@example.com"},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "nickname", "Value": "Rex"},
        ],
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
    return pool_id, str(created["UserPoolClient"]["ClientId"])


def _solve(parameters: dict[str, str]) -> str:
    """What a person would type for the challenge the app shows."""
    if parameters["type"] == "captcha":
        a, b = parameters["question"].split(" + ")
        return str(int(a) + int(b))
    if parameters["type"] == "question":
        return "rex"
    return parameters["word"]


def _answer(idp: Any, client_id: str, step: dict[str, Any], answer: str, **metadata: str) -> Any:
    return idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": step["ChallengeParameters"]["USERNAME"], "ANSWER": answer},
        ClientMetadata=metadata,
    )


@pytest.mark.every_transport
def test_custom_auth__three_challenges_end_in_tokens(idp: Any) -> None:
    pool_id, client_id = _pool(idp)
    step = idp.initiate_auth(
        ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"}, ClientMetadata={"app": "web"}
    )
    shown = []
    while "AuthenticationResult" not in step:
        assert step["ChallengeName"] == "CUSTOM_CHALLENGE"
        parameters = step["ChallengeParameters"]
        # The private answer never leaves the server; the public parameters come with the user's name.
        assert "answer" not in parameters and parameters["USERNAME"] == "alice"
        shown.append(parameters["type"])
        step = _answer(idp, client_id, step, _solve(parameters), app="web")
    assert shown == ["captcha", "question", "confirm"]
    assert step["ChallengeParameters"] == {}
    tokens = step["AuthenticationResult"]
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    assert tokens["RefreshToken"]

    sub = idp.admin_get_user(UserPoolId=pool_id, Username="alice")["UserAttributes"][0]["Value"]
    attributes = {
        "sub": sub,
        "email": "alice@example.com",
        "email_verified": "true",
        "nickname": "Rex",
        "cognito:user_status": "CONFIRMED",
    }
    first_define = events("define_auth_challenge")[0]
    assert first_define == {
        "version": "1",
        "triggerSource": "DefineAuthChallenge_Authentication",
        "region": REGION,
        "userPoolId": pool_id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "request": {
            "userAttributes": attributes,
            "session": [],
            "clientMetadata": {"app": "web"},
            "userNotFound": False,
        },
        "response": {"challengeName": None, "issueTokens": None, "failAuthentication": None},
    }
    history = [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True, "challengeMetadata": step}
        for step in ("CAPTCHA", "QUESTION", "CONFIRM")
    ]
    assert [e["request"]["session"] for e in events("define_auth_challenge")] == [history[:n] for n in range(4)]
    creates = events("create_auth_challenge")
    assert [e["triggerSource"] for e in creates] == ["CreateAuthChallenge_Authentication"] * 3
    assert [e["request"]["session"] for e in creates] == [history[:n] for n in range(3)]
    assert creates[0]["request"]["challengeName"] == "CUSTOM_CHALLENGE"
    assert creates[0]["response"] == {
        "publicChallengeParameters": None,
        "privateChallengeParameters": None,
        "challengeMetadata": None,
    }
    verifies = events("verify_auth_challenge")
    assert verifies[1]["triggerSource"] == "VerifyAuthChallengeResponse_Authentication"
    assert verifies[1]["request"] == {
        "userAttributes": attributes,
        "privateChallengeParameters": {"answer": "Rex"},
        "challengeAnswer": "rex",
        "clientMetadata": {"app": "web"},
        "userNotFound": False,
    }
    assert verifies[1]["response"] == {"answerCorrect": None}


def test_custom_auth__wrong_answers_then_fail_authentication(idp: Any) -> None:
    _, client_id = _pool(idp)
    first = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    # A wrong answer: DefineAuthChallenge lets the user try a new captcha.
    second = _answer(idp, client_id, first, "not a number")
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert second["ChallengeParameters"]["type"] == "captcha"
    assert events("define_auth_challenge")[-1]["request"]["session"] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False, "challengeMetadata": "CAPTCHA"}
    ]
    # Each Session is good for one answer.
    assert fails(_answer, idp=idp, client_id=client_id, step=first, answer="1") == (
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    )
    # A second wrong answer: failAuthentication.
    assert fails(_answer, idp=idp, client_id=client_id, step=second, answer="0") == WRONG
    # The failed sign-in used its Session up: the right answer comes too late.
    right = _solve(second["ChallengeParameters"])
    late = fails(_answer, idp=idp, client_id=client_id, step=second, answer=right)
    assert late == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_custom_auth__answer_for_another_user_is_refused(idp: Any) -> None:
    pool_id, client_id = _pool(idp)
    idp.admin_create_user(UserPoolId=pool_id, Username="bob", MessageAction="SUPPRESS")
    step = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    code, _ = fails(
        idp.respond_to_auth_challenge,
        ClientId=client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "bob", "ANSWER": _solve(step["ChallengeParameters"])},
    )
    assert code == "NotAuthorizedException"
    assert events("verify_auth_challenge") == []


def test_custom_auth__srp_a_first_then_a_captcha(idp: Any) -> None:
    pool_id, client_id = _pool(idp)
    srp = AWSSRP("alice", PASSWORD, pool_id, client_id, client=idp)
    params = {**srp.get_auth_params(), "CHALLENGE_NAME": "SRP_A"}
    first = idp.initiate_auth(
        ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters=params, ClientMetadata={"steps": "1"}
    )
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    assert set(first["ChallengeParameters"]) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"}
    # Unlike USER_SRP_AUTH, the custom flow's password step has a Session, which carries the history.
    assert first["Session"]
    proof = srp.process_challenge(first["ChallengeParameters"], params)
    # The proof alone, without that Session, is not a USER_SRP_AUTH sign-in skipping the captcha.
    refused = fails(
        idp.respond_to_auth_challenge, ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=proof
    )
    assert refused == WRONG
    captcha = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        Session=first["Session"],
        ChallengeResponses=proof,
        ClientMetadata={"steps": "1"},
    )
    assert captcha["ChallengeName"] == "CUSTOM_CHALLENGE"
    done = _answer(idp, client_id, captcha, _solve(captcha["ChallengeParameters"]), steps="1")
    assert idp.get_user(AccessToken=done["AuthenticationResult"]["AccessToken"])["Username"] == "alice"
    sessions = [e["request"]["session"] for e in events("define_auth_challenge")]
    assert sessions == [
        [{"challengeName": "SRP_A", "challengeResult": True}],
        [
            {"challengeName": "SRP_A", "challengeResult": True},
            {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True},
        ],
        [
            {"challengeName": "SRP_A", "challengeResult": True},
            {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True},
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True, "challengeMetadata": "CAPTCHA"},
        ],
    ]


def test_custom_auth__srp_a_first_with_a_wrong_password_fails(idp: Any) -> None:
    pool_id, client_id = _pool(idp)
    srp = AWSSRP("alice", "Wrong-Passw0rd!", pool_id, client_id, client=idp)
    params = {**srp.get_auth_params(), "CHALLENGE_NAME": "SRP_A"}
    first = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters=params)
    proof = srp.process_challenge(first["ChallengeParameters"], params)
    answer = fails(
        idp.respond_to_auth_challenge,
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        Session=first["Session"],
        ChallengeResponses=proof,
    )
    assert answer == WRONG
    # DefineAuthChallenge was told, and failed the sign-in.
    assert events("define_auth_challenge")[-1]["request"]["session"][-1] == {
        "challengeName": "PASSWORD_VERIFIER",
        "challengeResult": False,
    }
    assert events("create_auth_challenge") == []


def test_admin_initiate_auth__custom_auth(idp: Any) -> None:
    pool_id, client_id = _pool(idp)
    step = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": "alice"},
        ClientMetadata={"steps": "2"},
    )
    while "AuthenticationResult" not in step:
        step = idp.admin_respond_to_auth_challenge(
            UserPoolId=pool_id,
            ClientId=client_id,
            ChallengeName="CUSTOM_CHALLENGE",
            Session=step["Session"],
            ChallengeResponses={"USERNAME": "alice", "ANSWER": _solve(step["ChallengeParameters"])},
            ClientMetadata={"steps": "2"},
        )
    assert idp.get_user(AccessToken=step["AuthenticationResult"]["AccessToken"])["Username"] == "alice"
    assert len(events("verify_auth_challenge")) == 2


def test_custom_auth__unknown_user_gets_challenges_when_users_are_hidden(idp: Any) -> None:
    _, client_id = _pool(idp, PreventUserExistenceErrors="ENABLED")
    step = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "ghost"})
    assert step["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert step["ChallengeParameters"]["USERNAME"] == "ghost"
    [define] = events("define_auth_challenge")
    assert define["userName"] == "ghost"
    assert define["request"]["userNotFound"] is True
    assert define["request"]["userAttributes"] == {}
    assert fails(_answer, idp=idp, client_id=client_id, step=step, answer=_solve(step["ChallengeParameters"])) == WRONG
    assert events("verify_auth_challenge")[0]["request"]["userNotFound"] is True


def test_custom_auth__unknown_user_with_srp_a_first_fails_like_a_wrong_password(idp: Any) -> None:
    pool_id, client_id = _pool(idp, PreventUserExistenceErrors="ENABLED")
    srp = AWSSRP("ghost", PASSWORD, pool_id, client_id, client=idp)
    params = {**srp.get_auth_params(), "CHALLENGE_NAME": "SRP_A"}
    first = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters=params)
    # A simulated challenge, answered as for a real user (USERNAME is its USER_ID_FOR_SRP).
    assert first["ChallengeName"] == "PASSWORD_VERIFIER" and first["Session"]
    proof = srp.process_challenge(first["ChallengeParameters"], params)
    answer = fails(
        idp.respond_to_auth_challenge,
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        Session=first["Session"],
        ChallengeResponses=proof,
    )
    assert answer == WRONG
    last = events("define_auth_challenge")[-1]["request"]
    assert last["userNotFound"] is True
    assert last["session"][-1] == {"challengeName": "PASSWORD_VERIFIER", "challengeResult": False}


@pytest.mark.parametrize("session", ["x" * 64, "v1.abc.def" + "A" * 40, "v1." + "%" * 40])
def test_custom_auth__forged_sessions_are_refused(idp: Any, session: str) -> None:
    _, client_id = _pool(idp)
    for challenge, responses in (
        ("CUSTOM_CHALLENGE", {"USERNAME": "alice", "ANSWER": "7"}),
        ("PASSWORD_VERIFIER", {"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": "AAAA", **_CLAIM}),
    ):
        code, _ = fails(
            idp.respond_to_auth_challenge,
            ClientId=client_id,
            ChallengeName=challenge,
            Session=session,
            ChallengeResponses=responses,
        )
        assert code == "NotAuthorizedException"
    assert events("verify_auth_challenge") == []


_CLAIM = {"PASSWORD_CLAIM_SIGNATURE": "AAAA", "TIMESTAMP": "Tue Sep 5 07:08:09 UTC 2023"}


def test_custom_auth__unknown_user_is_reported_by_legacy_clients(idp: Any) -> None:
    _, client_id = _pool(idp)
    answer = fails(idp.initiate_auth, ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "ghost"})
    assert answer == ("UserNotFoundException", "User does not exist.")
    assert events("define_auth_challenge") == []


@pytest.mark.every_transport
@pytest.mark.parametrize(
    ("triggers", "metadata", "error"),
    [
        (
            {**CUSTOM_TRIGGERS, "DefineAuthChallenge": "failing"},
            {},
            ("UserLambdaValidationException", "DefineAuthChallenge failed with error 'userAttributes'."),
        ),
        (
            {**CUSTOM_TRIGGERS, "DefineAuthChallenge": "garbage"},
            {},
            ("InvalidLambdaResponseException", "Unrecognizable lambda output"),
        ),
        (CUSTOM_TRIGGERS, {"mode": "bogus"}, ("InvalidLambdaResponseException", "Invalid lambda response")),
        (CUSTOM_TRIGGERS, {"mode": "nothing"}, ("InvalidLambdaResponseException", "Invalid lambda response")),
        (
            {"PreSignUp": "pre_sign_up"},
            {},
            ("InvalidParameterException", "Custom auth lambda trigger is not configured for the user pool."),
        ),
    ],
    ids=["raises", "garbage", "unknown-challenge", "no-decision", "not-configured"],
)
def test_custom_auth__function_failures(
    idp: Any, triggers: dict[str, str], metadata: dict[str, str], error: tuple[str, str]
) -> None:
    _, client_id = _pool(idp, triggers)
    answer = fails(
        idp.initiate_auth,
        ClientId=client_id,
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": "alice"},
        ClientMetadata=metadata,
    )
    assert answer == error


@pytest.mark.every_transport
def test_custom_auth__raising_verify_function_ends_the_sign_in(idp: Any) -> None:
    _, client_id = _pool(idp, {**CUSTOM_TRIGGERS, "VerifyAuthChallengeResponse": "failing"})
    step = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    assert fails(_answer, idp=idp, client_id=client_id, step=step, answer="1") == (
        "UserLambdaValidationException",
        "VerifyAuthChallengeResponse failed with error 'userAttributes'.",
    )
    assert fails(_answer, idp=idp, client_id=client_id, step=step, answer="1")[0] == "NotAuthorizedException"


def test_custom_auth__issue_tokens_at_once_and_flow_permission(idp: Any) -> None:
    pool_id, client_id = _pool(idp)
    tokens = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": "alice"},
        ClientMetadata={"mode": "early_tokens"},
    )
    assert tokens["AuthenticationResult"]["AccessToken"]
    other = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="srp-only", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"]
    )["UserPoolClient"]["ClientId"]
    assert fails(idp.initiate_auth, ClientId=other, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"}) == (
        "InvalidParameterException",
        "CUSTOM_AUTH flow not enabled for this client",
    )


@pytest.mark.parametrize("srp_first", [False, True], ids=["custom-only", "srp-first"])
def test_custom_auth__pre_and_post_authentication_fire_once(idp: Any, srp_first: bool) -> None:
    triggers = {
        **CUSTOM_TRIGGERS,
        "PreAuthentication": "pre_authentication",
        "PostAuthentication": "post_authentication",
    }
    pool_id, client_id = _pool(idp, triggers)
    srp = AWSSRP("alice", PASSWORD, pool_id, client_id, client=idp)
    params = {**srp.get_auth_params(), "CHALLENGE_NAME": "SRP_A"} if srp_first else {"USERNAME": "alice"}
    step = idp.initiate_auth(
        ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters=params, ClientMetadata={"steps": "1"}
    )
    if srp_first:
        step = idp.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="PASSWORD_VERIFIER",
            Session=step["Session"],
            ChallengeResponses=srp.process_challenge(step["ChallengeParameters"], params),
            ClientMetadata={"steps": "1"},
        )
    done = _answer(idp, client_id, step, _solve(step["ChallengeParameters"]), steps="1")
    assert done["AuthenticationResult"]["AccessToken"]
    [before] = events("pre_authentication")
    assert before["triggerSource"] == "PreAuthentication_Authentication"
    assert before["request"]["validationData"] == {"steps": "1"}
    [after] = events("post_authentication")
    assert after["triggerSource"] == "PostAuthentication_Authentication"


def test_custom_auth__pre_authentication_refusal_comes_before_the_challenges(idp: Any) -> None:
    triggers = {**CUSTOM_TRIGGERS, "PreAuthentication": "pre_authentication"}
    pool_id, client_id = _pool(idp, triggers)
    idp.admin_update_user_attributes(
        UserPoolId=pool_id, Username="alice", UserAttributes=[{"Name": "email", "Value": "alice@suspended.example"}]
    )
    answer = fails(idp.initiate_auth, ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    assert answer == ("UserLambdaValidationException", "PreAuthentication failed with error Account suspended.")
    assert events("define_auth_challenge") == []


def test_custom_auth__srp_a_first_alike_for_a_real_user_and_an_unknown_name(idp: Any) -> None:
    pool_id, client_id = _pool(idp, PreventUserExistenceErrors="ENABLED")
    srp = AWSSRP("alice", "Wrong-Passw0rd!", pool_id, client_id, client=idp)
    srp_a = srp.get_auth_params()["SRP_A"]

    def first(name: str) -> dict[str, Any]:
        params = {"USERNAME": name, "SRP_A": srp_a, "CHALLENGE_NAME": "SRP_A"}
        answer: dict[str, Any] = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters=params)
        answer.pop("ResponseMetadata")
        return answer

    def alike(answer: dict[str, Any]) -> Any:
        # SALT and SRP_B are plain hex of random numbers, a digit shorter one time in 16 for anyone.
        parameters = {k: v for k, v in answer["ChallengeParameters"].items() if k not in ("SALT", "SRP_B")}
        return shape({**answer, "ChallengeParameters": parameters})

    steps = {"alice": first("alice"), "ghost": first("ghost")}
    # The same members, the Session included, of the same lengths.
    assert alike(steps["alice"]) == alike(steps["ghost"])
    assert steps["alice"]["ChallengeName"] == "PASSWORD_VERIFIER"

    def prove(name: str) -> Any:
        step = steps[name]
        proof = srp.process_challenge(step["ChallengeParameters"], {"USERNAME": name, "SRP_A": srp_a})
        return outcome(
            idp.respond_to_auth_challenge,
            ClientId=client_id,
            ChallengeName="PASSWORD_VERIFIER",
            Session=step["Session"],
            ChallengeResponses=proof,
        )

    assert prove("alice") == prove("ghost") == ("error", *WRONG)
    # Used up by that answer, for both: the proof again is a USER_SRP_AUTH answer whose SECRET_BLOCK the custom
    # sign-in withdrew, refused as such, and DefineAuthChallenge hears nothing of it.
    asked = len(events("define_auth_challenge"))
    assert prove("alice") == prove("ghost") == ("error", *WRONG)
    assert len(events("define_auth_challenge")) == asked
