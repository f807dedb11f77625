"""The console's passkey settings on the pool's edit page (SignInPolicy's first factors, WebAuthnConfiguration)
and a user's registered passkeys on the user page, listed and removed."""

from __future__ import annotations

import html
from typing import Any

from tests.console.conftest import Console
from tests.support.auth import PASSWORD
from tests.support.passkeys import SoftwareAuthenticator

EDIT = {
    "pool_name": "Passkeys",
    "min_length": "8",
    "temp_days": "7",
    "self_sign_up": "on",
    "mfa": "OFF",
    "user_verification": "required",
    "rp_id": "localhost",
}


def test_update_user_pool__passkey_settings_on_the_edit_page(signed_in: Console) -> None:
    pool_id = signed_in.idp.create_user_pool(PoolName="Passkeys")["UserPool"]["Id"]
    edit = f"/console/pools/{pool_id}/edit"
    page = signed_in.http.get(edit)
    assert "Passwordless sign-in and passkeys" in page.text and 'value="WEB_AUTHN"' in page.text
    data = {**EDIT, "first_factors": ["EMAIL_OTP", "WEB_AUTHN"]}
    answer = signed_in.http.post(edit, data={"_csrf": signed_in.csrf(edit), **data})
    assert answer.status_code == 303, answer.text
    policy = signed_in.idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Policies"]["SignInPolicy"]
    assert policy["AllowedFirstAuthFactors"] == ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]
    mfa = signed_in.idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["WebAuthnConfiguration"] == {"RelyingPartyId": "localhost", "UserVerification": "required"}
    again = signed_in.http.get(edit).text
    assert 'value="localhost"' in again and 'value="WEB_AUTHN" checked' in again
    # Saving the page again with other settings keeps what it shows.
    answer = signed_in.http.post(edit, data={"_csrf": signed_in.csrf(edit), **data, "min_length": "10"})
    assert answer.status_code == 303, answer.text
    assert signed_in.idp.get_user_pool_mfa_config(UserPoolId=pool_id)["WebAuthnConfiguration"]["RelyingPartyId"]


def test_update_user_pool__an_ip_address_is_refused_as_relying_party(signed_in: Console) -> None:
    pool_id = signed_in.idp.create_user_pool(PoolName="Passkeys")["UserPool"]["Id"]
    edit = f"/console/pools/{pool_id}/edit"
    data = {**EDIT, "first_factors": ["WEB_AUTHN"], "rp_id": "127.0.0.1"}
    answer = signed_in.http.post(edit, data={"_csrf": signed_in.csrf(edit), **data})
    assert answer.status_code == 400
    assert "RelyingPartyId" not in signed_in.idp.get_user_pool_mfa_config(UserPoolId=pool_id).get(
        "WebAuthnConfiguration", {}
    )


def _user_with_passkey(idp: Any) -> tuple[str, SoftwareAuthenticator]:
    policies = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
    pool_id = str(idp.create_user_pool(PoolName="Passkeys", Policies=policies)["UserPool"]["Id"])
    config = {"RelyingPartyId": "localhost", "UserVerification": "required"}
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF", WebAuthnConfiguration=config)
    client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_AUTH"])
    client_id = client["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="ann", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="ann", Password=PASSWORD, Permanent=True)
    token = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "ann", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    authenticator = SoftwareAuthenticator()
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    idp.complete_web_authn_registration(AccessToken=token, Credential=authenticator.register(options))
    return pool_id, authenticator


def test_admin_get_user__user_page_lists_and_removes_passkeys(signed_in: Console) -> None:
    pool_id, authenticator = _user_with_passkey(signed_in.idp)
    user_page = f"/console/pools/{pool_id}/user?username=ann"
    page = signed_in.http.get(user_page)
    assert page.status_code == 200 and page.text.count('class="passkey"') == 1
    remove = f"/console/pools/{pool_id}/user/passkey?username=ann&credential={authenticator.id}"
    assert html.escape(remove) in page.text
    confirm = signed_in.http.get(remove)
    assert confirm.status_code == 200 and "Remove passkey" in confirm.text
    assert signed_in.http.get(user_page).text.count('class="passkey"') == 1  # nothing removed by looking
    done = signed_in.http.post(remove, data={"_csrf": signed_in.csrf(remove)})
    assert done.status_code == 303 and done.headers["location"].endswith("notice=passkey_removed")
    assert 'class="passkey"' not in signed_in.http.get(user_page).text
    gone = signed_in.http.post(remove, data={"_csrf": signed_in.csrf(user_page)})
    assert gone.status_code == 404
