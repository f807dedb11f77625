"""A form's errors as the API words them: the whole message above the form, and each model-validation
failure next to the field it names (``Value '' at 'poolName' failed to satisfy constraint: ...``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from userpool.errors import CognitoError

# Where each failure of an InvalidParameterException "N validation errors detected: ..." starts.
_FAILURE = re.compile(r"(?:Value null|Value '.*?'|Value) at '([^']+)' failed to satisfy constraint: ")


def field_errors(message: str, fields: dict[str, str]) -> dict[str, list[str]]:
    """Each failure of a validation message, under the form field of its path (or of the nearest enclosing
    path the form has a field for); ``fields`` maps API paths (``policies.passwordPolicy``) to field names."""
    found: dict[str, list[str]] = {}
    starts = list(_FAILURE.finditer(message))
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(message)
        text = message[match.start() : end].rstrip("; ")
        path = match.group(1)
        while path:
            if path in fields:
                found.setdefault(fields[path], []).append(text)
                break
            path = path.rpartition(".")[0]
    return found


@dataclass
class FormErrors:
    """What went wrong with the form just sent; empty when nothing did."""

    messages: list[str] = field(default_factory=list)
    by_field: dict[str, list[str]] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)

    def add(self, err: CognitoError, per_field: dict[str, list[str]]) -> None:
        self.messages.append(err.message)
        self.codes.append(err.code)
        for name, texts in per_field.items():
            self.by_field.setdefault(name, []).extend(texts)

    def note(self, name: str, text: str) -> None:
        """An error found before any operation ran (e.g. text in a number field)."""
        self.by_field.setdefault(name, []).append(text)

    def get(self, name: str) -> list[str]:
        return self.by_field.get(name, [])

    def clear(self) -> None:
        self.messages.clear()
        self.by_field.clear()
        self.codes.clear()

    def __bool__(self) -> bool:
        return bool(self.messages or self.by_field)
