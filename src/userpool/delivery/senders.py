"""Ways a message leaves the server: SMTP, an HTTP webhook for SMS, or the log (local development).

Each sender is chosen by settings in ``app.py``. A sender raises DeliveryError for a failure worth
retrying; the outbox keeps the message and tries again later.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from userpool.model.records import OutboxMessage

log = logging.getLogger("userpool.delivery")


class DeliveryError(Exception):
    pass


class Sender(Protocol):
    @property
    def keeps_text(self) -> bool:
        """True when the message is read from the outbox itself (``userpool outbox``), so its text must stay
        there (sealed) after ``send``; otherwise the outbox forgets the text once it is sent."""
        ...

    def send(self, message: OutboxMessage) -> None: ...


class LogSender:
    """Delivers nowhere: says in the log that a message is waiting; ``userpool outbox`` shows it."""

    keeps_text = True

    def send(self, message: OutboxMessage) -> None:
        # The body may hold a temporary password or a code, so only the envelope is logged.
        log.info(
            "%s message %d to %s kept in the outbox (read it with `userpool outbox`)",
            message.channel,
            message.id,
            message.destination,
        )


def _one_address(value: str, member: str) -> str:
    """``value`` when it is one mail address, bare or with a display name; a pool's EmailConfiguration can
    hold anything (From is a free string in the Cognito API), and a header must not."""
    header = EmailMessage()
    try:
        header["From"] = value
        addresses = header["From"].addresses
        defects = header["From"].defects
    except (ValueError, IndexError) as exc:
        raise DeliveryError(f"the pool's EmailConfiguration {member} is not a mail address") from exc
    if len(addresses) != 1 or defects or not addresses[0].domain:
        raise DeliveryError(f"the pool's EmailConfiguration {member} is not a mail address")
    return value


class SmtpSender:
    """Sends email through an SMTP server.

    URL forms: ``smtp://host:port`` (STARTTLS when the server offers it, or ``?starttls=require``),
    ``smtps://host:port`` (TLS from the start); ``user:password@`` in the URL, or the separate
    username/password settings, log in.
    """

    keeps_text = False

    def __init__(self, url: str, mail_from: str, username: str = "", password: str = "") -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("the SMTP URL must start with smtp:// or smtps://")
        self._ssl = parts.scheme == "smtps"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (465 if self._ssl else 25)
        self._username = unquote(parts.username) if parts.username else username
        self._password = unquote(parts.password) if parts.password else password
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self._starttls = options.get("starttls", "auto")
        self._verify = options.get("verify", "true") != "false"
        self._timeout = float(options.get("timeout", "30"))
        self._from = mail_from
        self._envelope_from = parseaddr(mail_from)[1] or mail_from

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self._verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def send(self, message: OutboxMessage) -> None:
        email = EmailMessage()
        # The pool's From and Reply-To head the mail; the envelope stays the server's sender, the address
        # this relay accepts and bounces go back to.
        email["From"] = _one_address(message.mail_from, "From") if message.mail_from else self._from
        if message.reply_to:
            email["Reply-To"] = _one_address(message.reply_to, "ReplyToEmailAddress")
        email["To"] = message.destination
        email["Subject"] = message.subject or ""
        email.set_content(message.body)
        if "<" in message.body and ">" in message.body:
            email.add_alternative(message.body, subtype="html")
        try:
            smtp: smtplib.SMTP
            if self._ssl:
                smtp = smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=self._context())
            else:
                smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
            with smtp:
                smtp.ehlo()
                if not self._ssl and self._starttls != "never":
                    if smtp.has_extn("starttls"):
                        smtp.starttls(context=self._context())
                        smtp.ehlo()
                    elif self._starttls == "require":
                        raise DeliveryError("the SMTP server does not offer STARTTLS")
                if self._username:
                    smtp.login(self._username, self._password)
                smtp.send_message(email, from_addr=self._envelope_from)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP delivery failed: {type(exc).__name__}: {exc}") from exc


class WebhookSmsSender:
    """POSTs ``{"to", "message"}`` as JSON to a URL that hands the text to an SMS provider."""

    keeps_text = False

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self._url = url
        self._timeout = timeout

    def send(self, message: OutboxMessage) -> None:
        try:
            response = httpx.post(
                self._url,
                json={"to": message.destination, "message": message.body, "id": message.id},
                timeout=self._timeout,
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMS webhook failed: {type(exc).__name__}") from exc
        if response.status_code >= 300:
            raise DeliveryError(f"SMS webhook answered {response.status_code}")
