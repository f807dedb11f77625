"""The hosted pages of choice-based sign-in (USER_AUTH) beside the password: the buttons that start it on the
login page, the page to choose among the AvailableChallenges, and the WEB_AUTHN (passkey) challenge page
(Cognito developer guide: 'User pool managed login', 'Authentication flows', choice-based). One-time codes
(EMAIL_OTP, SMS_OTP) use the code page every code challenge has.
"""

from __future__ import annotations

import json
from typing import Any

from userpool.model.first_factors import allowed_factors
from userpool.model.vocabulary import ChallengeName
from userpool.services.hosted.pages import AVAILABLE
from userpool.services.hosted.passkey_pages import choice_based
from userpool.services.sign_in.steps.passkey_auth import OPTIONS
from userpool.web.login.forms import BadInput, Field, value
from userpool.web.login.journey import Journey

# The first factors the login page offers a button for, in the order shown, with the button's words.
FACTORS: dict[str, str] = {
    ChallengeName.WEB_AUTHN: "sign_in.with_passkey",
    ChallengeName.EMAIL_OTP: "sign_in.with_email_code",
    ChallengeName.SMS_OTP: "sign_in.with_sms_code",
}


def factor_buttons(j: Journey) -> list[tuple[str, str, str]]:
    """(factor, label, form action) of each passwordless first factor the pool allows, for a client with
    choice-based sign-in."""
    if not choice_based(j.target.client):
        return []
    allowed = allowed_factors(j.target.pool)
    return [(factor, label, j.url("/login/choose")) for factor, label in FACTORS.items() if factor in allowed]


def _available(params: dict[str, str]) -> list[str]:
    try:
        found = json.loads(params.get(AVAILABLE) or "[]")
    except (ValueError, RecursionError):
        return []
    return [str(c) for c in found if c in FACTORS] if isinstance(found, list) else []


def choices(params: dict[str, str]) -> list[str]:
    """The passwordless factors a SELECT_CHALLENGE page offers (its AvailableChallenges but the password)."""
    return _available(params)


def select_page(j: Journey, params: dict[str, str]) -> dict[str, Any]:
    """The page to choose among the AvailableChallenges of a SELECT_CHALLENGE."""
    options = tuple((c, j.t(f"factor.{c}")) for c in choices(params))
    field = Field("answer", j.t("select_challenge.intro"), options=options)
    return {"title": "select_challenge.title", "fields": [field], "submit": "select_challenge.submit"}


def passkey_page(j: Journey, params: dict[str, str]) -> dict[str, Any]:
    """The WEB_AUTHN challenge page: one button that asks the browser for a passkey of the options."""
    return {
        "template": "passkey.html",
        "scripts": True,
        "title": "passkey.title",
        "intro": j.t("passkey.intro"),
        "ceremony": "get",
        "options": params.get(OPTIONS, "{}"),
        "submit": "passkey.submit",
    }


def responses(name: str, form: dict[str, str], params: dict[str, str]) -> dict[str, str] | None:
    """The ChallengeResponses of a SELECT_CHALLENGE or WEB_AUTHN page's form; None for other challenges."""
    if name == ChallengeName.SELECT_CHALLENGE:
        answer = value(form, "answer", "code")
        if answer not in choices(params):
            raise BadInput("answer")
        return {"ANSWER": answer}
    if name == ChallengeName.WEB_AUTHN:
        return {"CREDENTIAL": value(form, "credential", "hidden")}
    return None
