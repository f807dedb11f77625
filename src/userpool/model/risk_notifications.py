"""The notice mail of adaptive authentication (Cognito developer guide: 'Message templates', advanced security
template placeholders): NotifyConfiguration's BlockEmail, MfaEmail or NoActionEmail, chosen by the response the
sign-in met, with the event's details and the one-click feedback links filled in.

An HTML body is preferred to the text one when the template has both (the outbox sends a body with markup as
HTML); values filled into an HTML body are escaped. Without a template, Cognito's kind of wording is used.
"""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from userpool.model.messages import Rendered
from userpool.model.risk_assessment import BLOCK, MFA_IF_CONFIGURED, MFA_REQUIRED

# Which template each response uses (NotifyConfigurationType).
TEMPLATE_OF = {BLOCK: "BlockEmail", MFA_REQUIRED: "MfaEmail", MFA_IF_CONFIGURED: "MfaEmail"}
NO_ACTION_TEMPLATE = "NoActionEmail"
DEFAULTS: dict[str, dict[str, str]] = {
    "BlockEmail": {
        "Subject": "Blocked sign-in attempt",
        "TextBody": (
            "We blocked an unrecognized sign-in to your account {username} at {login-time} from {ip-address} "
            "({device-name}).\nIf this was you: {one-click-link-valid}\nIf this was not you: {one-click-link-invalid}"
        ),
    },
    "MfaEmail": {
        "Subject": "New sign-in attempt",
        "TextBody": (
            "We asked for a second factor when someone signed in to your account {username} at {login-time} from "
            "{ip-address} ({device-name}).\nIf this was you: {one-click-link-valid}\n"
            "If this was not you: {one-click-link-invalid}"
        ),
    },
    "NoActionEmail": {
        "Subject": "New sign-in attempt",
        "TextBody": (
            "We observed an unrecognized sign-in to your account {username} at {login-time} from {ip-address} "
            "({device-name}).\nIf this was you: {one-click-link-valid}\nIf this was not you: {one-click-link-invalid}"
        ),
    },
}


def template_name(event_action: str) -> str:
    """The NotifyConfiguration member that words the notice of a sign-in that met ``event_action``."""
    return TEMPLATE_OF.get(event_action, NO_ACTION_TEMPLATE)


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """What a notice tells: the user, the event and its context, and the feedback link's target."""

    username: str
    pool_id: str
    event_id: str
    feedback_token: str
    created_at: float
    context: dict[str, str]
    feedback_url: str


def feedback_link(facts: NoticeFacts, value: str) -> str:
    """The one-click link that sends ``value`` (Valid or Invalid) as the user's feedback on the event."""
    query = urlencode(
        {
            "user_pool_id": facts.pool_id,
            "username": facts.username,
            "event_id": facts.event_id,
            "feedback_token": facts.feedback_token,
            "feedback_value": value,
        }
    )
    return f"{facts.feedback_url}?{query}"


def _values(facts: NoticeFacts) -> dict[str, str]:
    when = datetime.datetime.fromtimestamp(facts.created_at, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return {
        "{username}": facts.username,
        "{ip-address}": facts.context.get("IpAddress", ""),
        "{city}": facts.context.get("City", ""),
        "{country}": facts.context.get("Country", ""),
        "{login-time}": when,
        "{device-name}": facts.context.get("DeviceName", ""),
        "{one-click-link-valid}": feedback_link(facts, "Valid"),
        "{one-click-link-invalid}": feedback_link(facts, "Invalid"),
        "{event-id}": facts.event_id,
        "{feedback-token}": facts.feedback_token,
    }


def notice(notify: dict[str, Any], event_action: str, facts: NoticeFacts) -> Rendered:
    """The notice of a sign-in that met ``event_action``, from ``notify`` (NotifyConfigurationType, possibly
    empty) or the default wording."""
    name = template_name(event_action)
    template = notify.get(name) or DEFAULTS[name]
    as_html = bool(template.get("HtmlBody"))
    body = str(template.get("HtmlBody") or template.get("TextBody") or DEFAULTS[name]["TextBody"])
    subject = str(template.get("Subject") or DEFAULTS[name]["Subject"])
    for placeholder, value in _values(facts).items():
        body = body.replace(placeholder, html.escape(value, quote=True) if as_html else value)
        subject = subject.replace(placeholder, value)
    return Rendered(subject, body)
