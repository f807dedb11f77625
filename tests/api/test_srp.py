"""USER_SRP_AUTH and PASSWORD_VERIFIER through pycognito's client, unchanged (docs/srp.md;
Cognito developer guide: 'Managing user existence error responses' for unknown users)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import ForceChangePasswordException

from tests.conftest import Server
from tests.support.auth import PASSWORD, make_client, make_user, payload
from tests.support.errors import fails
from tests.support.existence import POOL_KINDS, hiding_pool, shape
from userpool.model.usernames import looks_like_sub

SRP_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def _srp(idp: Any, pool_id: str, client: dict[str, Any], username: str, password: str = PASSWORD) -> AWSSRP:
    return AWSSRP(username, password, pool_id, client["ClientId"], client=idp, client_secret=client.get("ClientSecret"))


@pytest.mark.parametrize("secret", [False, True])
def test_srp__plain_username_pool(idp: Any, pool_id: str, secret: bool) -> None:
    client = make_client(idp, pool_id, ExplicitAuthFlows=SRP_FLOWS, GenerateSecret=secret)
    make_user(idp, pool_id, "ann")
    tokens = _srp(idp, pool_id, client, "ann").authenticate_user()["AuthenticationResult"]
    assert payload(tokens["AccessToken"])["username"] == "ann"
    assert payload(tokens["IdToken"])["cognito:username"] == "ann"
    wrong = _srp(idp, pool_id, client, "ann", "Wrong-Pass-1")
    assert fails(wrong.authenticate_user) == ("NotAuthorizedException", "Incorrect username or password.")


@pytest.mark.parametrize("secret", [False, True])
def test_srp__email_as_username_pool(idp: Any, secret: bool) -> None:
    pool_id = idp.create_user_pool(PoolName="email", UsernameAttributes=["email"])["UserPool"]["Id"]
    client = make_client(idp, pool_id, ExplicitAuthFlows=SRP_FLOWS, GenerateSecret=secret)
    make_user(idp, pool_id, "ann@example.com", attributes={"email": "ann@example.com", "email_verified": "true"})
    sub = idp.admin_get_user(UserPoolId=pool_id, Username="ann@example.com")["Username"]
    tokens = _srp(idp, pool_id, client, "ann@example.com").authenticate_user()["AuthenticationResult"]
    assert payload(tokens["IdToken"])["cognito:username"] == sub
    wrong = _srp(idp, pool_id, client, "ann@example.com", "Wrong-Pass-1")
    assert fails(wrong.authenticate_user)[0] == "NotAuthorizedException"


def test_srp__challenge_parameters_and_no_session(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id, ExplicitAuthFlows=SRP_FLOWS)
    make_user(idp, pool_id, "ann")
    srp = _srp(idp, pool_id, client, "ann")
    answer = idp.initiate_auth(
        ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
    )
    assert answer["ChallengeName"] == "PASSWORD_VERIFIER"
    assert "Session" not in answer
    params = answer["ChallengeParameters"]
    assert set(params) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"}
    assert params["USERNAME"] == params["USER_ID_FOR_SRP"] == "ann"
    responses = srp.process_challenge(params, srp.get_auth_params())
    first = idp.respond_to_auth_challenge(
        ClientId=client["ClientId"], ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses
    )
    assert "AuthenticationResult" in first
    # The SECRET_BLOCK is single use.
    replay = fails(
        idp.respond_to_auth_challenge,
        ClientId=client["ClientId"],
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=responses,
    )
    assert replay == ("NotAuthorizedException", "Incorrect username or password.")
    # A zero-padded day of month is not Cognito's TIMESTAMP format (docs/srp.md, TIMESTAMP).
    fresh = idp.initiate_auth(
        ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
    )
    bad = srp.process_challenge(fresh["ChallengeParameters"], srp.get_auth_params())
    bad["TIMESTAMP"] = "Tue Sep 05 07:08:09 UTC 2023"
    code, _ = fails(
        idp.respond_to_auth_challenge,
        ClientId=client["ClientId"],
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=bad,
    )
    assert code == "NotAuthorizedException"


def test_srp__force_change_password_user_gets_new_password_required(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id, ExplicitAuthFlows=SRP_FLOWS)
    idp.admin_create_user(UserPoolId=pool_id, Username="ann", TemporaryPassword="Temp-Pass-1", MessageAction="SUPPRESS")
    srp = _srp(idp, pool_id, client, "ann", "Temp-Pass-1")
    with pytest.raises(ForceChangePasswordException):
        srp.authenticate_user()
    srp.set_new_password_challenge("Brand-New-Pass-2")
    tokens = _srp(idp, pool_id, client, "ann", "Brand-New-Pass-2").authenticate_user()["AuthenticationResult"]
    assert payload(tokens["AccessToken"])["username"] == "ann"


def test_srp__unknown_user(idp: Any, pool_id: str) -> None:
    legacy = make_client(idp, pool_id, ExplicitAuthFlows=SRP_FLOWS)
    assert fails(_srp(idp, pool_id, legacy, "nobody").authenticate_user) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    hiding = make_client(idp, pool_id, ExplicitAuthFlows=SRP_FLOWS, PreventUserExistenceErrors="ENABLED")
    srp = _srp(idp, pool_id, hiding, "nobody")
    first = idp.initiate_auth(
        ClientId=hiding["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
    )
    again = idp.initiate_auth(
        ClientId=hiding["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
    )
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    for name in ("SALT", "USER_ID_FOR_SRP"):
        assert first["ChallengeParameters"][name] == again["ChallengeParameters"][name]
    assert fails(srp.authenticate_user) == ("NotAuthorizedException", "Incorrect username or password.")


def test_srp__user_without_verifier_enrols_at_next_password_sign_in(app_server: Server, idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id, ExplicitAuthFlows=SRP_FLOWS)
    make_user(idp, pool_id, "ann")
    store = app_server.runtime.store
    with store.write() as tx:
        user = tx.users.get_by_username(pool_id, "ann")
        assert user is not None and user.srp_verifier is not None
        tx.users.update(replace(user, srp_salt=None, srp_verifier=None))
    assert fails(_srp(idp, pool_id, client, "ann").authenticate_user)[0] == "NotAuthorizedException"
    idp.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD},
    )
    assert "AuthenticationResult" in _srp(idp, pool_id, client, "ann").authenticate_user()


def test_srp__through_admin_initiate_auth(idp: Any, pool_id: str) -> None:
    # A back end may run SRP too: AdminInitiateAuth, then AdminRespondToAuthChallenge (AWS: AdminInitiateAuth API
    # reference).
    client = make_client(idp, pool_id, ExplicitAuthFlows=SRP_FLOWS)
    make_user(idp, pool_id, "ann")
    for password, expected in ((PASSWORD, None), ("Wrong-Pass-1", "NotAuthorizedException")):
        srp = _srp(idp, pool_id, client, "ann", password)
        ids = {"UserPoolId": pool_id, "ClientId": client["ClientId"]}
        first = idp.admin_initiate_auth(**ids, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params())
        assert first["ChallengeName"] == "PASSWORD_VERIFIER"
        responses = srp.process_challenge(first["ChallengeParameters"], srp.get_auth_params())
        if expected is None:
            answer = idp.admin_respond_to_auth_challenge(
                **ids, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses
            )
            assert payload(answer["AuthenticationResult"]["AccessToken"])["username"] == "ann"
        else:
            code, _ = fails(
                idp.admin_respond_to_auth_challenge,
                **ids,
                ChallengeName="PASSWORD_VERIFIER",
                ChallengeResponses=responses,
            )
            assert code == expected
    # Still only for clients that allow it.
    password_only = make_client(idp, pool_id)
    code, message = fails(
        idp.admin_initiate_auth,
        UserPoolId=pool_id,
        ClientId=password_only["ClientId"],
        AuthFlow="USER_SRP_AUTH",
        AuthParameters=_srp(idp, pool_id, password_only, "ann").get_auth_params(),
    )
    assert (code, message) == ("InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client")


def _hex_number(value: str, bits: int) -> bool:
    """Plain lower-case hex of a number below 2**bits, without leading zeros (docs/srp.md, padHex)."""
    return re.fullmatch(r"[1-9a-f][0-9a-f]*", value) is not None and int(value, 16).bit_length() <= bits


@pytest.mark.parametrize("kind", POOL_KINDS)
def test_initiate_auth__srp_challenge_alike_for_real_and_unknown_users(idp: Any, kind: str) -> None:
    hiding = hiding_pool(idp, kind)
    srp_a = _srp(idp, hiding.pool_id, hiding.client, hiding.real).get_auth_params()["SRP_A"]

    def challenge(name: str) -> dict[str, Any]:
        answer: dict[str, Any] = idp.initiate_auth(
            ClientId=hiding.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": name, "SRP_A": srp_a}
        )
        answer.pop("ResponseMetadata")
        return answer

    real = [challenge(hiding.real) for _ in range(2)]
    unknown = [challenge(hiding.unknown) for _ in range(2)]
    for answers in (real, unknown):
        first, again = (a["ChallengeParameters"] for a in answers)
        # SALT and the user id are the user's (stable), SRP_B and SECRET_BLOCK new every time.
        assert (first["SALT"], first["USER_ID_FOR_SRP"]) == (again["SALT"], again["USER_ID_FOR_SRP"])
        assert first["SRP_B"] != again["SRP_B"] and first["SECRET_BLOCK"] != again["SECRET_BLOCK"]
        assert first["USERNAME"] == first["USER_ID_FOR_SRP"]
        assert _hex_number(first["SALT"], 128) and _hex_number(first["SRP_B"], 3072)
    if kind == "email":
        # The internal username of such a pool is the user's sub.
        assert looks_like_sub(real[0]["ChallengeParameters"]["USER_ID_FOR_SRP"])
        assert looks_like_sub(unknown[0]["ChallengeParameters"]["USER_ID_FOR_SRP"])
    else:
        assert real[0]["ChallengeParameters"]["USER_ID_FOR_SRP"] == hiding.real
        assert unknown[0]["ChallengeParameters"]["USER_ID_FOR_SRP"] == hiding.unknown

    def alike(answer: dict[str, Any]) -> Any:
        # SALT and SRP_B are plain hex of random numbers: one in 16 has a digit fewer, for anyone (checked above).
        parameters = {k: v for k, v in answer["ChallengeParameters"].items() if k not in ("SALT", "SRP_B")}
        return shape({**answer, "ChallengeParameters": parameters})

    assert alike(real[0]) == alike(unknown[0]) == alike(real[1]) == alike(unknown[1])
    assert set(real[0]["ChallengeParameters"]) == set(unknown[0]["ChallengeParameters"])
