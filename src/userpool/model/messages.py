"""The text of the messages Cognito sends: invitations (AdminCreateUser) and one-time codes.

Templates (Cognito developer guide: 'Configuring email or phone verification', 'Creating user accounts as
administrator') come from the pool, ``{username}`` and ``{####}``
are replaced, and Cognito's own wording is used when the pool sets no template. A CustomMessage trigger's
answer (Cognito developer guide: 'Custom message Lambda trigger') replaces the pool's template member by member.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from userpool.model.records import NewMessage, Pool
from userpool.model.vocabulary import DeliveryMedium

DEFAULT_INVITE_MESSAGE = "Your username is {username} and temporary password is {####}. "
DEFAULT_INVITE_SUBJECT = "Your temporary password"
DEFAULT_CODE_MESSAGE = "Your verification code is {####}. "
DEFAULT_CODE_SUBJECT = "Your verification code"
# VerificationMessageTemplate's link defaults (what DescribeUserPool shows for a new pool on AWS).
DEFAULT_LINK_MESSAGE = "Please click the link below to verify your email address. {##Verify Email##} "
DEFAULT_LINK_SUBJECT = "Your verification link"
CONFIRM_WITH_LINK = "CONFIRM_WITH_LINK"
# The link placeholder, {##<link text>##} (VerificationMessageTemplateType.DefaultEmailOption); the text is
# not empty, so the code placeholder {####} is not mistaken for a link.
_LINK = re.compile(r"\{##((?:(?!##\}).)+)##\}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready for the outbox; ``subject`` is None for SMS."""

    subject: str | None
    body: str


@dataclass(frozen=True, slots=True)
class MessageOverride:
    """A CustomMessage trigger's templates; None members keep the pool's (or Cognito's default) template."""

    sms_message: str | None = None
    email_message: str | None = None
    email_subject: str | None = None


NO_OVERRIDE = MessageOverride()


def render(template: str, *, username: str | None = None, code: str) -> str:
    """Fill ``{username}`` and ``{####}`` (the temporary password or code) into ``template``."""
    text = template if username is None else template.replace("{username}", username)
    return text.replace("{####}", code)


def invitation(
    pool: Pool, medium: str, username: str, temporary_password: str, override: MessageOverride = NO_OVERRIDE
) -> Rendered:
    """The AdminCreateUser invitation from AdminCreateUserConfig.InviteMessageTemplate."""
    template = (pool.config.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
    if medium == DeliveryMedium.SMS:
        body = override.sms_message or template.get("SMSMessage") or DEFAULT_INVITE_MESSAGE
        return Rendered(None, render(body, username=username, code=temporary_password))
    body = override.email_message or template.get("EmailMessage") or DEFAULT_INVITE_MESSAGE
    subject = override.email_subject or template.get("EmailSubject") or DEFAULT_INVITE_SUBJECT
    return Rendered(subject, render(body, username=username, code=temporary_password))


def code_message(pool: Pool, medium: str, code: str, override: MessageOverride = NO_OVERRIDE) -> Rendered:
    """A one-time code message from VerificationMessageTemplate (or the legacy top-level members)."""
    template = pool.config.get("VerificationMessageTemplate") or {}
    if medium == DeliveryMedium.SMS:
        body = (
            override.sms_message
            or template.get("SmsMessage")
            or pool.config.get("SmsVerificationMessage")
            or DEFAULT_CODE_MESSAGE
        )
        return Rendered(None, render(body, code=code))
    body = (
        override.email_message
        or template.get("EmailMessage")
        or pool.config.get("EmailVerificationMessage")
        or DEFAULT_CODE_MESSAGE
    )
    subject = (
        override.email_subject
        or template.get("EmailSubject")
        or pool.config.get("EmailVerificationSubject")
        or DEFAULT_CODE_SUBJECT
    )
    return Rendered(subject, render(body, code=code))


def confirms_with_link(pool: Pool) -> bool:
    """Whether sign-up confirmation emails carry a link rather than a code (DefaultEmailOption)."""
    template = pool.config.get("VerificationMessageTemplate") or {}
    return bool(template.get("DefaultEmailOption") == CONFIRM_WITH_LINK)


def confirmation_link(pages_url: str, client_id: str, username: str, code: str) -> str:
    """The address a confirmation link opens: the pool domain's ``/confirmUser`` with the app client, the
    user name and the code, the query Cognito's links carry."""
    query = urlencode({"client_id": client_id, "user_name": username, "confirmation_code": code})
    return f"{pages_url}/confirmUser?{query}"


def link_message(pool: Pool, link: str, code: str, override: MessageOverride = NO_OVERRIDE) -> Rendered:
    """A sign-up confirmation email from EmailMessageByLink / EmailSubjectByLink: each ``{##text##}`` becomes
    an HTML link to ``link`` showing ``text``; a ``{####}`` (in a CustomMessage answer) still gets the code."""
    template = pool.config.get("VerificationMessageTemplate") or {}
    body = override.email_message or template.get("EmailMessageByLink") or DEFAULT_LINK_MESSAGE
    subject = override.email_subject or template.get("EmailSubjectByLink") or DEFAULT_LINK_SUBJECT
    href = html.escape(link, quote=True)
    linked = _LINK.sub(lambda found: f'<a href="{href}">{found.group(1)}</a>', body)
    return Rendered(subject, render(linked, code=code))


def outbox_message(pool: Pool, medium: str, destination: str, message: Rendered) -> NewMessage:
    """The outbox row that sends ``message`` to ``destination``. Email carries the pool's EmailConfiguration
    ``From`` and ``ReplyToEmailAddress``; without a From, the server's sender (``mail_from``) is used. The
    SourceArn names an Amazon SES identity, which has no meaning here."""
    if medium != DeliveryMedium.EMAIL:
        return NewMessage(pool.id, medium, destination, message.subject, message.body)
    config = pool.config.get("EmailConfiguration") or {}
    return NewMessage(
        pool.id,
        medium,
        destination,
        message.subject,
        message.body,
        mail_from=config.get("From") or None,
        reply_to=config.get("ReplyToEmailAddress") or None,
    )
