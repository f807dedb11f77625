"""The fields of the hosted pages' forms and the checks their input gets before any service sees it.

The API validates every request against Cognito's model before a service runs; these pages call the same
services directly, so they hold input to the same bounds here: no control characters, Cognito's lengths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.requests import Request

MAX_FORM_BYTES = 32_768
FORM_TYPE = "application/x-www-form-urlencoded"
# UsernameType, PasswordType, ConfirmationCodeType and AttributeValueType limits of the Cognito model.
LIMITS = {"username": 128, "password": 256, "code": 2048, "attribute": 2048, "hidden": 4096}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadInput(ValueError):
    """A form that no user could have typed: wrong type, too large, control characters, fields twice."""


@dataclass(frozen=True, slots=True)
class Field:
    """One input of a page; ``options`` makes it a group of radio buttons."""

    name: str
    label: str
    type: str = "text"
    autocomplete: str = "off"
    value: str = ""
    required: bool = True
    hint: str | None = None
    inputmode: str | None = None
    autofocus: bool = False
    options: tuple[tuple[str, str], ...] = field(default_factory=tuple)


async def read_form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise BadInput("content type")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise BadInput("too large")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        raise BadInput("encoding") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in form:
            raise BadInput("repeated field")
        form[key] = value
    return form


def value(form: dict[str, str], name: str, kind: str, required: bool = True) -> str:
    """A field's text, checked: present (when required), within its limit, no control characters.
    Usernames and codes lose surrounding spaces (a pasted code often has some); passwords never do."""
    raw = form.get(name, "")
    text = raw if kind == "password" else raw.strip()
    if (required and not text) or len(text) > LIMITS[kind] or _CONTROL.search(text):
        raise BadInput(name)
    return text
