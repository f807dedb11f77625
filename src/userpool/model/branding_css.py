"""The CSS that SetUICustomization accepts for the hosted pages: only rules for Cognito's ``*-customizable``
classes of the classic hosted UI, with plain declarations (AWS Developer Guide, "Customizing the hosted UI
(classic)").

Beyond Cognito's rule, nothing that could load or run anything is accepted (no ``url()``, no at-rules, no
escapes), so a customization cannot reach outside the page's strict Content-Security-Policy.

The check reads the CSS once from left to right. Its only regular expressions are single character classes,
repeated, which the ``re`` engine matches without backtracking: up to the allowed 131,072 characters, the
time it takes grows with the length of the CSS and no faster, whatever the CSS holds.
"""

from __future__ import annotations

import re

from userpool.errors import InvalidParameterException

# The classes of the classic hosted UI that SetUICustomization may style; the hosted pages here carry the
# same classes.
CSS_CLASSES = frozenset(
    {
        "background-customizable",
        "banner-customizable",
        "errorMessage-customizable",
        "idpButton-customizable",
        "idpButton-customizable:hover",
        "inputField-customizable",
        "inputField-customizable:focus",
        "label-customizable",
        "legalText-customizable",
        "logo-customizable",
        "submitButton-customizable",
        "submitButton-customizable:hover",
        "textDescription-customizable",
    }
)
MAX_CSS = 131_072  # CSSType in the Cognito API model
_FORBIDDEN = ("url(", "expression", "@", "\\", "<", "image-set", "var(")

# A rule is: white space, "." and a class name, white space, "{", declarations without braces, "}", white
# space. ``\s`` is Python's Unicode white space, the same characters as ``str.isspace`` and ``str.strip``.
_SPACE = re.compile(r"\s*")
_CLASS_NAME = re.compile(r"[A-Za-z:-]+")
_BRACE = re.compile(r"[{}]")
# A declaration is "<property>:<value>": the property lower-case letters and "-" with white space around
# them, the value at least one character of these (white space included).
_PROPERTY = re.compile(r"[a-z-]+")
_VALUE = re.compile(r"[#%,.()\w\s-]+")

_NOT_RULES = "CSS must consist of rules for the customizable classes only."


def _after_space(css: str, position: int) -> int:
    found = _SPACE.match(css, position)
    return found.end() if found else position


def _allowed_declaration(declaration: str) -> bool:
    # The property holds no ":", so the first ":" ends it.
    name, colon, value = declaration.partition(":")
    return bool(colon) and _PROPERTY.fullmatch(name.strip()) is not None and _VALUE.fullmatch(value) is not None


def _rule_end(css: str, position: int) -> int:
    """Where the rule that starts at ``position`` ends (after the white space that follows it), once its
    class and declarations are found allowed; InvalidParameterException naming what is not."""
    dot = _after_space(css, position)
    if not css.startswith(".", dot):
        raise InvalidParameterException(_NOT_RULES)
    name = _CLASS_NAME.match(css, dot + 1)
    if name is None:
        raise InvalidParameterException(_NOT_RULES)
    opening = _after_space(css, name.end())
    if not css.startswith("{", opening):
        raise InvalidParameterException(_NOT_RULES)
    close = _BRACE.search(css, opening + 1)
    if close is None or close.group() != "}":
        raise InvalidParameterException(_NOT_RULES)
    if name.group() not in CSS_CLASSES:
        raise InvalidParameterException(f"CSS class {name.group()} can not be customized.")
    for declaration in css[opening + 1 : close.start()].split(";"):
        if declaration.strip() and not _allowed_declaration(declaration):
            raise InvalidParameterException(f"CSS declaration {declaration.strip()!r} is not allowed.")
    return _after_space(css, close.end())


def check_css(css: str) -> str:
    """The CSS if it only styles the customizable classes with plain values (SetUICustomization's ``CSS``);
    InvalidParameterException naming the first thing that is not allowed."""
    if len(css) > MAX_CSS:
        raise InvalidParameterException("CSS is too long.")
    lowered = css.lower()
    for word in _FORBIDDEN:
        if word in lowered:
            raise InvalidParameterException(f"CSS must not contain {word!r}.")
    if css.isspace():
        return css
    position = 0
    while position < len(css):
        position = _rule_end(css, position)
    return css
