"""The messages that carry an SMS_MFA or EMAIL_OTP sign-in code (AWS: SetUserPoolMfaConfig API reference):
the pool's SmsAuthenticationMessage, or its EmailMfaConfiguration's Message and Subject, with ``{####}``
replaced; Cognito's own wording when the pool sets none. A CustomMessage_Authentication answer replaces them
member by member."""

from __future__ import annotations

from userpool.model.messages import NO_OVERRIDE, MessageOverride, Rendered, render
from userpool.model.pool_mfa import EMAIL_MFA
from userpool.model.records import Pool
from userpool.model.vocabulary import DeliveryMedium

DEFAULT_SMS = "Your authentication code is {####}. "
DEFAULT_EMAIL = "Your authentication code is {####}. "
DEFAULT_SUBJECT = "Your authentication code"


def sign_in_code_message(pool: Pool, medium: str, code: str, override: MessageOverride = NO_OVERRIDE) -> Rendered:
    if medium == DeliveryMedium.SMS:
        template = override.sms_message or pool.config.get("SmsAuthenticationMessage") or DEFAULT_SMS
        return Rendered(None, render(template, code=code))
    email = pool.config.get(EMAIL_MFA) or {}
    subject = override.email_subject or email.get("Subject") or DEFAULT_SUBJECT
    return Rendered(subject, render(override.email_message or email.get("Message") or DEFAULT_EMAIL, code=code))
