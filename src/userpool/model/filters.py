"""The ListUsers ``Filter`` grammar: parsing, quoting and what a filter selects (AWS: ListUsers API reference, Filter).

    Filter := ws* [ Name ws* ("=" | "^=") ws* '"' Value '"' ] ws*
    Name   := attribute | '"' attribute '"'

AWS's own ListUsers sample quotes the attribute name (``"email"^="testuser"``), so both forms parse. Inside the
value ``\\"`` is a quote and ``\\\\`` a backslash; any other backslash stands for itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from userpool.errors import InvalidParameterException
from userpool.model.records import UserQuery
from userpool.model.vocabulary import UserStatus

FILTERABLE = frozenset(
    {
        "username",
        "email",
        "phone_number",
        "name",
        "given_name",
        "family_name",
        "preferred_username",
        "cognito:user_status",
        "status",
        "sub",
    }
)
USER_STATUSES = tuple(UserStatus)
ENABLED_STATES = ("Enabled", "Disabled")

PARSE_ERROR = "Error while parsing filter"
_NAME = r'[^\s="^\\]+'
_HEAD = re.compile(rf'(?:"(?P<quoted>{_NAME})"|(?P<bare>{_NAME}))\s*(?P<op>\^?=)\s*"')


def _read_value(text: str, start: int) -> tuple[str, int]:
    """The value that starts after an opening quote at ``start``, and the index after its closing quote."""
    out: list[str] = []
    i = start
    while i < len(text):
        char = text[i]
        if char == '"':
            return "".join(out), i + 1
        if char == "\\" and i + 1 < len(text) and text[i + 1] in '"\\':
            out.append(text[i + 1])
            i += 2
            continue
        out.append(char)
        i += 1
    raise InvalidParameterException(PARSE_ERROR)


def parse_filter(text: str) -> UserQuery | None:
    """The query a ListUsers ``Filter`` asks for; ``None`` for an empty filter (every user)."""
    body = text.strip()
    if not body:
        return None
    head = _HEAD.match(body)
    if head is None:
        raise InvalidParameterException(PARSE_ERROR)
    value, end = _read_value(body, head.end())
    if end != len(body):
        raise InvalidParameterException(PARSE_ERROR)
    name = head.group("quoted") or head.group("bare")
    if name not in FILTERABLE:
        # moto's wording; custom attributes are not searchable on Cognito either.
        raise InvalidParameterException(f"Invalid search attribute: {name}")
    if name == "cognito:user_status":
        # Cognito matches the status case-insensitively; statuses are stored upper-case.
        value = value.upper()
    return UserQuery(name, value, head.group("op") == "^=")


def quote(value: str) -> str:
    """``value`` as a filter's quoted string, so that ``parse_filter`` gives it back unchanged."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_filter(query: UserQuery | None) -> str:
    """The canonical text of a parsed filter: equal for filters that ask the same thing."""
    if query is None:
        return ""
    return f"{query.attribute} {'^=' if query.prefix else '='} {quote(query.value)}"


@dataclass(frozen=True, slots=True)
class Selection:
    """What the store must be asked for: every user (``query`` None), nobody, or the users ``query`` matches."""

    query: UserQuery | None
    nobody: bool = False


def _one_of(query: UserQuery, choices: tuple[str, ...]) -> Selection:
    """A filter on a closed set of values, as an exact query on the one value it names where possible."""
    hits = [c for c in choices if (c.startswith(query.value) if query.prefix else c == query.value)]
    if not hits:
        return Selection(None, nobody=True)
    if len(hits) == len(choices):
        return Selection(None)
    if len(hits) == 1:
        return Selection(replace(query, value=hits[0], prefix=False))
    return Selection(query)


def select(query: UserQuery | None) -> Selection:
    """Turn ``status`` and ``cognito:user_status`` filters into the exact queries the users indexes answer."""
    if query is None:
        return Selection(None)
    if query.attribute == "status":
        return _one_of(query, ENABLED_STATES)
    if query.attribute == "cognito:user_status":
        return _one_of(query, USER_STATUSES)
    if "\x00" in query.value:
        # No stored value holds a NUL (attribute writes refuse it, and PostgreSQL text cannot hold one).
        return Selection(None, nobody=True)
    return Selection(query)
