"""The ListUsers Filter grammar: round-trips of quoted values, and garbage only ever gives
InvalidParameterException."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from userpool.errors import InvalidParameterException
from userpool.model.filters import (
    FILTERABLE,
    USER_STATUSES,
    Selection,
    format_filter,
    parse_filter,
    quote,
    select,
)
from userpool.model.records import UserQuery

PLAIN = sorted(FILTERABLE - {"cognito:user_status"})
SPACES = st.text(alphabet=" \t\n\r\f\v\u00a0\u2003", max_size=3)


@given(
    name=st.sampled_from(PLAIN),
    value=st.text(),
    prefix=st.booleans(),
    quoted_name=st.booleans(),
    gaps=st.tuples(SPACES, SPACES, SPACES, SPACES),
)
@example(name="family_name", value='O"Hara', prefix=False, quoted_name=False, gaps=("", " ", " ", ""))
@example(name="email", value="\\", prefix=True, quoted_name=True, gaps=("", "", "", ""))
@example(name="email", value='\\"\\\\"', prefix=False, quoted_name=False, gaps=(" ", "", "", " "))
def test_list_users__filter_value_round_trips(
    name: str, value: str, prefix: bool, quoted_name: bool, gaps: tuple[str, str, str, str]
) -> None:
    attr = f'"{name}"' if quoted_name else name
    text = f"{gaps[0]}{attr}{gaps[1]}{'^=' if prefix else '='}{gaps[2]}{quote(value)}{gaps[3]}"
    assert parse_filter(text) == UserQuery(name, value, prefix)


@given(value=st.text(), prefix=st.booleans())
def test_list_users__status_value_is_upper_cased(value: str, prefix: bool) -> None:
    query = parse_filter(f"cognito:user_status {'^=' if prefix else '='} {quote(value)}")
    assert query == UserQuery("cognito:user_status", value.upper(), prefix)


@given(name=st.sampled_from(sorted(FILTERABLE)), value=st.text(), prefix=st.booleans())
def test_list_users__canonical_text_parses_to_the_same_query(name: str, value: str, prefix: bool) -> None:
    query = parse_filter(f"{name} {'^=' if prefix else '='} {quote(value)}")
    assert parse_filter(format_filter(query)) == query


FILTERISH = st.text(alphabet=st.sampled_from(list('email=^" \\\tx:_usrn')) | st.characters(), max_size=60)


@given(text=st.one_of(st.text(), FILTERISH))
@example(text='email = "unterminated')
@example(text='email = "a" trailing')
@example(text='email = "ends with backslash\\"')
@example(text="email = 'single'")
@example(text='"email = "x"')
@example(text='custom:team = "x"')
def test_list_users__garbage_filter_only_raises_invalid_parameter(text: str) -> None:
    try:
        query = parse_filter(text)
    except InvalidParameterException as exc:
        assert exc.message == "Error while parsing filter" or exc.message.startswith("Invalid search attribute: ")
    else:
        assert query is None or query.attribute in FILTERABLE


def test_list_users__empty_filter_means_everyone() -> None:
    assert parse_filter("") is None
    assert parse_filter(" \t ") is None
    assert select(None) == Selection(None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("email = x", "Error while parsing filter"),
        ("username=", "Error while parsing filter"),
        ('email = "x" "y"', "Error while parsing filter"),
        ('email ^ = "x"', "Error while parsing filter"),
        ('custom:team = "x"', "Invalid search attribute: custom:team"),
        ('"custom:team" ^= "x"', "Invalid search attribute: custom:team"),
    ],
)
def test_list_users__filter_errors(text: str, message: str) -> None:
    with pytest.raises(InvalidParameterException) as exc:
        parse_filter(text)
    assert exc.value.message == message


def test_list_users__backslash_before_other_characters_is_literal() -> None:
    assert parse_filter(r'name = "a\b\nc"') == UserQuery("name", r"a\b\nc", False)
    assert parse_filter(r'name = "a\\"') == UserQuery("name", "a\\", False)


@pytest.mark.parametrize(
    ("query", "selection"),
    [
        (UserQuery("status", "Enabled", False), Selection(UserQuery("status", "Enabled", False))),
        (UserQuery("status", "Dis", True), Selection(UserQuery("status", "Disabled", False))),
        (UserQuery("status", "", True), Selection(None)),
        (UserQuery("status", "enabled", False), Selection(None, nobody=True)),
        (UserQuery("status", "Enabledx", True), Selection(None, nobody=True)),
        (
            UserQuery("cognito:user_status", "FORCE", True),
            Selection(UserQuery("cognito:user_status", "FORCE_CHANGE_PASSWORD", False)),
        ),
        (UserQuery("cognito:user_status", "C", True), Selection(UserQuery("cognito:user_status", "C", True))),
        (UserQuery("cognito:user_status", "", True), Selection(None)),
        (UserQuery("cognito:user_status", "CONFIRMEDX", False), Selection(None, nobody=True)),
        (UserQuery("email", "", True), Selection(UserQuery("email", "", True))),
    ],
)
def test_list_users__status_filters_become_exact_queries(query: UserQuery, selection: Selection) -> None:
    assert select(query) == selection


@given(status=st.sampled_from(USER_STATUSES))
def test_list_users__every_status_is_selected_exactly(status: str) -> None:
    assert select(UserQuery("cognito:user_status", status, False)).query == UserQuery(
        "cognito:user_status", status, False
    )
