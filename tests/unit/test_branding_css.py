"""SetUICustomization's CSS check (model/branding_css.py) accepts and refuses exactly the CSS that the
regular expressions it replaced did, with the same message; those backtracked on long white space, so the
comparison runs on short CSS made of the pieces that matter."""

from __future__ import annotations

import re
from collections.abc import Callable

from hypothesis import example, given, settings
from hypothesis import strategies as st

from userpool.errors import InvalidParameterException
from userpool.model.branding_css import CSS_CLASSES, MAX_CSS, check_css

# The former check, verbatim but for its name: the language the new one must keep.
_RULE = re.compile(r"\s*\.([A-Za-z:-]+)\s*\{([^{}]*)\}\s*")
_DECLARATION = re.compile(r"\s*[a-z-]+\s*:\s*[#%,.()\w\s-]+\s*")
_FORBIDDEN = ("url(", "expression", "@", "\\", "<", "image-set", "var(")


def _former_check(css: str) -> str:
    if len(css) > MAX_CSS:
        raise InvalidParameterException("CSS is too long.")
    lowered = css.lower()
    for word in _FORBIDDEN:
        if word in lowered:
            raise InvalidParameterException(f"CSS must not contain {word!r}.")
    position = 0
    while position < len(css):
        if not css[position:].strip():
            break
        match = _RULE.match(css, position)
        if match is None:
            raise InvalidParameterException("CSS must consist of rules for the customizable classes only.")
        if match.group(1) not in CSS_CLASSES:
            raise InvalidParameterException(f"CSS class {match.group(1)} can not be customized.")
        for declaration in match.group(2).split(";"):
            if declaration.strip() and not _DECLARATION.fullmatch(declaration):
                raise InvalidParameterException(f"CSS declaration {declaration.strip()!r} is not allowed.")
        position = match.end()
    return css


def _outcome(check: Callable[[str], str], css: str) -> str:
    try:
        check(css)
    except InvalidParameterException as err:
        return err.message
    return "accepted"


SPACES = [" ", "\t", "\n", "\r", "\f", "\u00a0", "\u2003", "\x1c"]
PIECES = [
    *".{};:-_#%,()!'/*aZ0é٣",
    *"color background-color #0f766e 10px url(x) @media body hover".split(),
    "rgba(0, 0, 0, 0.5)",
    *sorted(CSS_CLASSES),
    *SPACES,
]
CSSISH = st.lists(st.sampled_from(PIECES), max_size=24).map("".join)
RULE = st.builds(
    lambda lead, name, gap, body, tail: f"{lead}.{name}{gap}{{{body}}}{tail}",
    st.sampled_from(["", *SPACES]),
    st.sampled_from([*sorted(CSS_CLASSES), "body", "logo-customizable:after", "a1"]),
    st.sampled_from(["", *SPACES]),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.sampled_from(["", *SPACES]),
)
RULES = st.lists(RULE, min_size=1, max_size=4).map("".join)


@given(css=st.one_of(CSSISH, RULES, st.text(max_size=40)))
@settings(max_examples=400)
@example(css="")
@example(css=" \n\t")
@example(css=".logo-customizable { color: red; }")
@example(css=".logo-customizable{color:#fff;;  ;width : 10px}\n.banner-customizable{}")
@example(css=".logo-customizable { color: red }  body")
@example(css=".logo-customizable { color: red } .x")
@example(css=".logo-customizable { Color: red }")
@example(css=".logo-customizable { color: red : blue }")
@example(css=".logo-customizable { color: }")
@example(css=".logo-customizable { : red }")
@example(css=".logo-customizable { co lor: red }")
@example(css=".logo-customizable { color:\u00a0red\u2003}")
@example(css=".nope { color: red")
@example(css=".nope { a { } }")
@example(css=".logo-customizable { color: red }}")
def test_set_ui_customization__css_check_keeps_the_former_language(css: str) -> None:
    assert _outcome(check_css, css) == _outcome(_former_check, css)


def test_set_ui_customization__css_check_answers_the_cases_that_matter() -> None:
    assert check_css(".submitButton-customizable:hover { background-color: #0f766e; }")
    refused = {
        ".logo-customizable { color: red } body { }": "CSS must consist of rules for the customizable classes only.",
        ".body { color: red }": "CSS class body can not be customized.",
        ".logo-customizable { color: red !important }": "CSS declaration 'color: red !important' is not allowed.",
        ".logo-customizable { background: url(x) }": "CSS must not contain 'url('.",
        "." + "a" * MAX_CSS: "CSS is too long.",
    }
    for css, message in refused.items():
        assert _outcome(check_css, css) == message, css
