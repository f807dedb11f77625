"""PreSignUp and PostConfirmation: the triggers around a user's creation and confirmation.

Cognito developer guide: 'Pre sign-up Lambda trigger', 'Post confirmation Lambda trigger'. PreSignUp
(``PreSignUp_SignUp``, ``PreSignUp_AdminCreateUser``) sees the user about to be created — it is not stored yet, so a
function that raises leaves nothing behind — and may answer ``autoConfirmUser``, ``autoVerifyEmail``,
``autoVerifyPhone``. PostConfirmation (``PostConfirmation_ConfirmSignUp``, ``PostConfirmation_ConfirmForgotPassword``)
sees the user as committed, and answers nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from userpool.model.attributes import aliases_for
from userpool.model.records import Pool, User
from userpool.model.vocabulary import UserStatus
from userpool.triggers.events import envelope, name_value_map, string_map, user_attributes
from userpool.triggers.invoke import invoke
from userpool.triggers.lambda_config import Trigger, configured
from userpool.triggers.responses import flag
from userpool.triggers.sources import Source
from userpool.triggers.transport import TriggerFunctions


@dataclass(frozen=True, slots=True)
class SignUpDecision:
    """What PreSignUp answered; all false when the pool has no PreSignUp trigger."""

    auto_confirm: bool = False
    auto_verify_email: bool = False
    auto_verify_phone: bool = False

    def applied(self, pool: Pool, user: User, *, may_confirm: bool) -> User:
        """``user`` as the answer makes it: verified email / phone (where it has one), CONFIRMED when
        ``may_confirm`` (SignUp; AdminCreateUser heeds only the autoVerify flags)."""
        attributes = dict(user.attributes)
        for kind, verify in (("email", self.auto_verify_email), ("phone_number", self.auto_verify_phone)):
            if verify and attributes.get(kind):
                attributes[f"{kind}_verified"] = "true"
        status = UserStatus.CONFIRMED if may_confirm and self.auto_confirm else user.status
        return replace(user, status=status, attributes=attributes, aliases=aliases_for(pool, attributes))


def pre_sign_up(
    functions: TriggerFunctions,
    pool: Pool,
    user: User,
    source: Source,
    *,
    client_id: str | None,
    validation_data: Iterable[Mapping[str, Any]] | None,
    client_metadata: Mapping[str, Any] | None,
) -> SignUpDecision:
    """Ask the pool's PreSignUp function about ``user``, who is not stored yet."""
    if not configured(pool, Trigger.PRE_SIGN_UP):
        return SignUpDecision()
    # The user does not exist yet: no sub of ours and no status to show.
    attributes = {k: v for k, v in user.attributes.items() if k != "sub"}
    request = {
        "userAttributes": attributes,
        "validationData": name_value_map(validation_data),
        "clientMetadata": string_map(client_metadata),
    }
    response = {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}
    answer = invoke(
        functions, pool, Trigger.PRE_SIGN_UP, envelope(pool, source, user.username, client_id, request, response)
    )
    return SignUpDecision(
        auto_confirm=flag(answer, "autoConfirmUser"),
        auto_verify_email=flag(answer, "autoVerifyEmail"),
        auto_verify_phone=flag(answer, "autoVerifyPhone"),
    )


def post_confirmation(
    functions: TriggerFunctions,
    pool: Pool,
    user: User,
    source: Source,
    *,
    client_id: str | None,
    client_metadata: Mapping[str, Any] | None,
) -> None:
    """Tell the pool's PostConfirmation function that ``user`` (as committed) is confirmed.

    Its failure reaches the caller although the confirmation stands.
    """
    if not configured(pool, Trigger.POST_CONFIRMATION):
        return
    request = {"userAttributes": user_attributes(user), "clientMetadata": string_map(client_metadata)}
    invoke(functions, pool, Trigger.POST_CONFIRMATION, envelope(pool, source, user.username, client_id, request))
