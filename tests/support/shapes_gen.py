"""Hypothesis strategies for cognito-idp request bodies, read from botocore's service model.

``Bodies.valid`` builds a body that fits an input shape: required members present, optional ones
sometimes, strings within their length and pattern, enum values from the enum, integers within range,
and the names of real objects (pool, client, user, group, ...) where the member names them.
``Bodies.malformed`` takes such a body and breaks exactly one thing in it: a required member dropped or
null, a member of the wrong JSON type, a length, pattern, enum or range violated, garbage nested in a
list or map, or the body itself not a JSON object, not UTF-8, or cut short.

The model's patterns are Java regular expressions; they are checked here with the ``regex`` module in
ASCII mode (where ``\\w``, ``\\s``, ``\\d`` are ASCII-only, as in Java, and ``\\p{L}`` is a Unicode
property). A pattern that is one repeated character class is generated from the characters it admits
among printable ASCII and a few unusual ones (NUL, controls, accents, emoji, ...). Other patterns go
through hypothesis' ``from_regex``, which cannot read ``\\p{..}``: there those classes are first narrowed
to a few ASCII characters of the same category. Strings the model leaves free get any characters.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import regex
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from userpool.api.service_model import shapes
from userpool.model.filters import FILTERABLE

MAX_DEPTH = 4  # below this, structures get their required members only and lists their minimum size
EXTRA_LENGTH = 12  # how far above its minimum a generated string or list may go

PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))
# Characters beyond printable ASCII that a member may still allow (controls, NUL, accents, CJK, emoji,
# separators, BOM): where its pattern lets them through, valid bodies carry them too.
UNUSUAL = "\x00\x01\x1f\x7f\xa0\xe9\u0301\u4e2d\u2028\ufeff\U0001f600"
# For strings the model leaves free: a third of the characters unusual, the rest printable or anything.
ANY_CHARACTER = st.sampled_from(UNUSUAL) | st.sampled_from(PRINTABLE) | st.characters(exclude_categories=["Cs"])


def free_text(min_size: int = 0, max_size: int = EXTRA_LENGTH) -> SearchStrategy[str]:
    # Built from a list: st.text() would merge the alphabet into one set and lose the weighting.
    return st.lists(ANY_CHARACTER, min_size=min_size, max_size=max_size).map("".join)


Path = tuple[str | int, ...]

# ASCII stand-ins for the Unicode categories the model's patterns use, for generation only.
_CATEGORY_STAND_INS = {"L": "a-zA-Z", "M": "", "S": "+$=", "N": "0-9", "P": "._@!#", "Z": " "}
_SINGLE_CLASS = re.compile(r"^\^?(\[(?:\\.|[^\]\\])+\]|\\S|\.|\(\?s\)\.)([+*])\$?$")


def shape(name: str) -> dict[str, Any]:
    found: dict[str, Any] = shapes()[name]
    return found


@cache
def java_pattern(pattern: str) -> Any:
    """The model's pattern as the server reads it (ASCII \\w \\s \\d, Unicode \\p{..})."""
    return regex.compile(pattern, regex.ASCII | regex.V0)


def fits_string(spec: Mapping[str, Any], value: str) -> bool:
    """Whether ``value`` satisfies the string shape ``spec`` (length, enum, pattern)."""
    if len(value) < spec.get("min", 0) or ("max" in spec and len(value) > spec["max"]):
        return False
    if "enum" in spec and value not in spec["enum"]:
        return False
    pattern = spec.get("pattern")
    return not pattern or java_pattern(pattern).fullmatch(value) is not None


def _python_pattern(pattern: str) -> str:
    """``pattern`` with each ``\\p{X}`` replaced by ASCII characters of category X (see module doc)."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        if pattern.startswith("\\p{", i):
            chars = _CATEGORY_STAND_INS[pattern[i + 3]]
            out.append(chars if in_class else f"[{chars}]")
            i = pattern.index("}", i) + 1
            continue
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        out.append(c)
        i += 1
    return "".join(out)


@cache
def _class_chars(pattern: str) -> tuple[str, int] | None:
    """For a pattern that is one character class repeated (``[...]+``, ``\\S+``, ``.*``): the characters
    of that class among printable ASCII and UNUSUAL, and the least number of repetitions; None for any other pattern."""
    match = _SINGLE_CLASS.match(pattern)
    if match is None:
        return None
    one = regex.compile(match.group(1), regex.ASCII | regex.V0 | regex.DOTALL)
    return "".join(c for c in PRINTABLE + UNUSUAL if one.fullmatch(c)), 1 if match.group(2) == "+" else 0


@cache
def _string_strategy(shape_name: str) -> SearchStrategy[str]:
    spec = shape(shape_name)
    lo = spec.get("min", 0)
    hi = spec.get("max", lo + EXTRA_LENGTH)
    top = min(hi, max(lo, 1) + EXTRA_LENGTH)
    if "enum" in spec:
        return st.sampled_from(sorted(spec["enum"]))
    if shape_name in _GRAMMARS:
        return _GRAMMARS[shape_name].filter(lambda s: fits_string(spec, s))
    pattern = spec.get("pattern")
    if not pattern:
        return st.text(string.ascii_letters, min_size=lo, max_size=top) | free_text(lo, top)
    single = _class_chars(pattern)
    if single is not None and single[0]:
        chars, least = single
        return st.text(chars, min_size=max(lo, least), max_size=max(top, lo, least))
    compiled = re.compile(_python_pattern(pattern), re.ASCII)
    generated = st.from_regex(compiled, fullmatch=True, alphabet=st.sampled_from(PRINTABLE))
    return generated.filter(lambda s: fits_string(spec, s))


_FILTER_NAMES = tuple(sorted(FILTERABLE))


def _filter(name: str, quoted: bool, op: str, value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    shown = f'"{name}"' if quoted else name
    return f'{shown} {op} "{escaped}"'


# Members whose model shape is a bare string but whose content has a grammar: ListUsers' Filter
# (``name = "value"`` / ``name ^= "value"``), with any characters in the value.
_GRAMMARS: dict[str, SearchStrategy[str]] = {
    "UserFilterType": st.builds(
        _filter,
        st.sampled_from(_FILTER_NAMES),
        st.booleans(),
        st.sampled_from(["=", "^="]),
        free_text(max_size=20) | st.sampled_from(["CONFIRMED", "Enabled", "malformed", "malformed-user@example.com"]),
    ),
}


def _integer_strategy(spec: Mapping[str, Any]) -> SearchStrategy[int]:
    lo = spec.get("min", 0)
    return st.integers(min_value=lo, max_value=spec.get("max", lo + 1000))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# -- wrong JSON types -------------------------------------------------------------------------------

_JSON_KINDS: dict[str, SearchStrategy[Any]] = {
    "string": st.text(PRINTABLE, max_size=8),
    "integer": st.integers(min_value=-(2**31), max_value=2**31),
    "float": st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()),
    "bool": st.booleans(),
    "list": st.lists(st.integers() | st.text(PRINTABLE, max_size=4), max_size=3),
    "object": st.dictionaries(st.text(string.ascii_letters, max_size=4), st.integers(), max_size=3),
}
# Which JSON kinds a model type accepts; every other kind is a type error.
_ACCEPTED: dict[str, frozenset[str]] = {
    "string": frozenset({"string"}),
    "blob": frozenset({"string"}),
    "integer": frozenset({"integer"}),
    "long": frozenset({"integer"}),
    "boolean": frozenset({"bool"}),
    "timestamp": frozenset({"integer", "float", "string"}),
    "list": frozenset({"list"}),
    "structure": frozenset({"object"}),
    "map": frozenset({"object"}),
}


@cache
def wrong_type(shape_type: str) -> SearchStrategy[Any]:
    """A JSON value of a kind the model type ``shape_type`` does not accept."""
    accepted = _ACCEPTED.get(shape_type, frozenset())
    return st.one_of([strategy for kind, strategy in _JSON_KINDS.items() if kind not in accepted])


# -- walking a body ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Site:
    """One value of a body, the shape it must fit, and whether its structure requires it."""

    path: Path
    shape_name: str
    required: bool
    in_structure: bool


def sites(shape_name: str, value: Any, path: Path = ()) -> list[Site]:
    """Every value inside ``value`` (a body of shape ``shape_name``), depth first."""
    spec = shape(shape_name)
    found: list[Site] = []
    children: list[tuple[Path, str, bool, bool]] = []
    if spec["type"] == "structure" and isinstance(value, dict):
        required = set(spec.get("required", []))
        for name, member in spec.get("members", {}).items():
            if value.get(name) is not None:
                children.append(((*path, name), member["shape"], name in required, True))
    elif spec["type"] == "list" and isinstance(value, list):
        children = [((*path, i), spec["member"]["shape"], False, False) for i in range(len(value))]
    elif spec["type"] == "map" and isinstance(value, dict):
        children = [((*path, key), spec["value"]["shape"], False, False) for key in value]
    for child_path, child_shape, required_member, in_structure in children:
        found.append(Site(child_path, child_shape, required_member, in_structure))
        found.extend(sites(child_shape, _get(value, child_path[-1:]), child_path))
    return found


def _get(value: Any, path: Path) -> Any:
    for step in path:
        value = value[step]
    return value


def replaced(body: dict[str, Any], path: Path, new: Any) -> dict[str, Any]:
    """A deep copy of ``body`` with the value at ``path`` set to ``new``."""
    out = copy.deepcopy(body)
    _get(out, path[:-1])[path[-1]] = new
    return out


def dropped(body: dict[str, Any], path: Path) -> dict[str, Any]:
    out = copy.deepcopy(body)
    del _get(out, path[:-1])[path[-1]]
    return out


def dump(body: Any) -> bytes:
    """JSON text of ``body``; the stdlib encoder, because it writes integers of any size."""
    return json.dumps(body).encode("ascii")


@dataclass(frozen=True, slots=True)
class Malformed:
    """A broken request body: what was broken, where, and the bytes to send."""

    kind: str
    where: str
    payload: bytes


def _label(path: Path) -> str:
    return ".".join(str(p) for p in path) or "(body)"


_BAD_CHARS = (" ", "\t", "\n", "\x00", "\x7f", "%", "_", "-", ".", ":", "/", "A", "a", "0", "é", "\u2028", "😀")


@cache
def _pattern_breakers(pattern: str, lo: int, hi: int | None) -> tuple[str, ...]:
    """Strings of an allowed length that ``pattern`` refuses."""
    size = max(lo, 1)
    if hi is not None and size > hi:
        return ()
    compiled = java_pattern(pattern)
    candidates = [c * size for c in _BAD_CHARS] + [("a" * size)[:-1] + c for c in _BAD_CHARS]
    return tuple(dict.fromkeys(s for s in candidates if len(s) == size and not compiled.fullmatch(s)))


class Bodies:
    """Valid-looking and malformed request bodies for the operations of the model.

    ``known`` maps member names (``UserPoolId``, ``ClientId``, ``Username``, ...) to the real objects'
    values, or to a tuple of candidates: a string member of that name, or an item of a list member of that
    name, takes one of them whenever it fits the member's shape.
    """

    def __init__(self, known: Mapping[str, str | tuple[str, ...]]) -> None:
        self.known = dict(known)
        self._strategies: dict[tuple[str, str | None, int], SearchStrategy[Any]] = {}

    # -- valid ------------------------------------------------------------------------------------

    def valid(self, shape_name: str | None) -> SearchStrategy[dict[str, Any]]:
        if shape_name is None:
            return st.just({})
        return self._value(shape_name, None, 0)

    def _value(self, shape_name: str, member: str | None, depth: int) -> SearchStrategy[Any]:
        key = (shape_name, member, min(depth, MAX_DEPTH))
        if key not in self._strategies:
            self._strategies[key] = self._build(shape_name, member, key[2])
        return self._strategies[key]

    def _build(self, shape_name: str, member: str | None, depth: int) -> SearchStrategy[Any]:
        spec = shape(shape_name)
        kind = spec["type"]
        if kind == "string":
            real = self.known.get(member or "")
            choices = [v for v in ((real,) if isinstance(real, str) else real or ()) if fits_string(spec, v)]
            if choices:
                return st.sampled_from(choices)
            return _string_strategy(shape_name)
        if kind == "structure":
            members: dict[str, Any] = spec.get("members", {})
            required = set(spec.get("required", []))
            need = {n: self._value(m["shape"], n, depth + 1) for n, m in members.items() if n in required}
            optional = (
                {}
                if depth >= MAX_DEPTH
                else {n: self._value(m["shape"], n, depth + 1) for n, m in members.items() if n not in required}
            )
            return st.fixed_dictionaries(need, optional=optional)
        if kind == "list":
            lo = spec.get("min", 0)
            hi = lo if depth >= MAX_DEPTH else min(spec.get("max", lo + 3), lo + 3)
            # Items take the list member's name: AttributesToGet's items are attribute names.
            return st.lists(self._value(spec["member"]["shape"], member, depth + 1), min_size=lo, max_size=hi)
        if kind == "map":
            lo = spec.get("min", 0)
            hi = lo if depth >= MAX_DEPTH else min(spec.get("max", lo + 3), lo + 3)
            keys = _string_strategy(spec["key"]["shape"])
            values = self._value(spec["value"]["shape"], None, depth + 1)
            return st.dictionaries(keys, values, min_size=lo, max_size=hi)
        if kind in ("integer", "long"):
            return _integer_strategy(spec)
        if kind == "boolean":
            return st.booleans()
        if kind == "timestamp":
            return st.integers(min_value=1_600_000_000, max_value=1_900_000_000)
        if kind == "blob":
            lo = spec.get("min", 0)
            return st.binary(min_size=lo, max_size=min(spec.get("max", lo + 16), lo + 16)).map(_b64)
        raise AssertionError(f"shape type {kind} of {shape_name} is not handled")

    # -- malformed --------------------------------------------------------------------------------

    def malformed(self, shape_name: str | None, body: dict[str, Any]) -> SearchStrategy[Malformed]:
        """``body`` (valid for ``shape_name``) with exactly one thing broken."""
        options: list[Callable[[], SearchStrategy[Malformed]]] = self._body_breakers(shape_name, body)
        if shape_name is not None:
            for site in sites(shape_name, body):
                options.extend(self._site_breakers(body, site))
        return st.sampled_from(options).flatmap(lambda make: make())

    def _body_breakers(
        self, shape_name: str | None, body: dict[str, Any]
    ) -> list[Callable[[], SearchStrategy[Malformed]]]:
        text = dump(body)
        options: list[Callable[[], SearchStrategy[Malformed]]] = [
            lambda: st.sampled_from([b"[]", b"null", b"true", b"12", b'"text"', b"[{}]", dump([body])]).map(
                lambda raw: Malformed("not-object", "(body)", raw)
            ),
            lambda: st.builds(
                lambda at, bad: Malformed("invalid-utf8", f"byte {at}", text[:at] + bad + text[at:]),
                st.integers(min_value=0, max_value=len(text)),
                st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf0\x28\x8c\xbc", b"\xc0\xaf", b"\x80"]),
            ),
            lambda: st.integers(min_value=1, max_value=len(text) - 1).map(
                lambda at: Malformed("truncated", f"byte {at}", text[:at])
            ),
            lambda: st.just(Malformed("deep-nesting", "(body)", b'{"X": ' + b"[" * 5000 + b"]" * 5000 + b"}")),
        ]
        if shape_name is not None and shape(shape_name).get("required"):
            options.append(
                lambda: st.sampled_from([b"", b"{}", b"  \n"]).map(lambda raw: Malformed("empty", "(body)", raw))
            )
        return options

    def _site_breakers(self, body: dict[str, Any], site: Site) -> list[Callable[[], SearchStrategy[Malformed]]]:
        spec = shape(site.shape_name)
        kind = spec["type"]
        where = _label(site.path)
        value = _get(body, site.path)

        def put(what: str) -> Callable[[Any], Malformed]:
            return lambda new: Malformed(what, where, dump(replaced(body, site.path, new)))

        options: list[Callable[[], SearchStrategy[Malformed]]] = [lambda: wrong_type(kind).map(put("wrong-type"))]
        if site.required and site.in_structure:
            options.append(lambda: st.just(Malformed("missing", where, dump(dropped(body, site.path)))))
            options.append(lambda: st.just(Malformed("null", where, dump(replaced(body, site.path, None)))))
        lengths = self._bad_lengths(spec, value)
        if lengths:
            options.append(lambda: st.sampled_from(lengths).map(put("length")))
        if kind == "string" and "pattern" in spec:
            breakers = _pattern_breakers(spec["pattern"], spec.get("min", 0), spec.get("max"))
            if breakers:
                options.append(lambda: st.sampled_from(breakers).map(put("pattern")))
        if kind == "string" and "enum" in spec:
            outside = [
                v for v in (str(value).lower(), f"{value}X", "NOT_A_VALUE", f" {value}") if v not in spec["enum"]
            ]
            options.append(lambda: st.sampled_from(outside).map(put("enum")))
        if kind in ("integer", "long"):
            options.append(lambda: st.sampled_from(_bad_numbers(spec)).map(put("range")))
        if kind == "blob":
            options.append(lambda: st.sampled_from(["!!!!", "abc", "====", "a b="]).map(put("base64")))
        if kind == "list":
            item_type = shape(spec["member"]["shape"])["type"]
            options.append(lambda: self._garbage(item_type).map(lambda g: put("list-garbage")([*value, g])))
        if kind == "map":
            options.extend(self._map_breakers(spec, value, put))
        return options

    def _garbage(self, item_type: str) -> SearchStrategy[Any]:
        nested: Any = [{"a": [[[1, {"b": None}]]]}]
        return st.one_of(wrong_type(item_type), st.just(nested), st.just([[[[[["deep"]]]]]]))

    def _map_breakers(
        self, spec: Mapping[str, Any], value: dict[str, Any], put: Callable[[str], Callable[[Any], Malformed]]
    ) -> list[Callable[[], SearchStrategy[Malformed]]]:
        key_spec = shape(spec["key"]["shape"])
        value_type = shape(spec["value"]["shape"])["type"]
        free_key = next(k for k in (f"k{i}" for i in range(len(value) + 1)) if k not in value)
        options: list[Callable[[], SearchStrategy[Malformed]]] = [
            lambda: self._garbage(value_type).map(lambda g: put("map-garbage")({**value, free_key: g}))
        ]
        bad_keys: list[str] = []
        if "max" in key_spec:
            bad_keys.append("k" * (key_spec["max"] + 1))
        if key_spec.get("min", 0) > 0:
            bad_keys.append("")
        if "pattern" in key_spec:
            bad_keys.extend(_pattern_breakers(key_spec["pattern"], key_spec.get("min", 0), key_spec.get("max")))
        if bad_keys:
            item = self._value(spec["value"]["shape"], None, MAX_DEPTH)
            options.append(
                lambda: st.tuples(st.sampled_from(bad_keys), item).map(
                    lambda kv: put("map-key")({**value, kv[0]: kv[1]})
                )
            )
        return options

    def _bad_lengths(self, spec: Mapping[str, Any], value: Any) -> list[Any]:
        """Values of the right type whose length (or size) is outside the shape's bounds."""
        lo, hi = spec.get("min"), spec.get("max")
        kind = spec["type"]
        out: list[Any] = []
        if kind == "string" and "enum" not in spec:
            fill = value[-1:] or "a"
            if lo:
                out.append((value * lo)[: lo - 1] if value else "")
            if hi is not None:
                out.append(value + fill * (hi + 1 - len(value)))
        elif kind == "blob":
            if lo:
                out.append(_b64(b"\x00" * (lo - 1)))
            if hi is not None:
                out.append(_b64(b"\x00" * (hi + 1)))
        elif kind == "list":
            item = value[0] if value else None
            if lo:
                out.append(value[: lo - 1])
            if hi is not None and item is not None:
                out.append([*value, *([item] * (hi + 1 - len(value)))])
        elif kind == "map":
            if lo:
                out.append(dict(list(value.items())[: lo - 1]))
            if hi is not None and value:
                sample = next(iter(value.values()))
                out.append({**value, **{f"k{i}": sample for i in range(hi + 1)}})
        return out


def _bad_numbers(spec: Mapping[str, Any]) -> list[Any]:
    out: list[Any] = [2**63, -(2**63) - 1, 10**30, math.inf]
    if "min" in spec:
        out += [spec["min"] - 1, spec["min"] - 1000]
    if "max" in spec:
        out += [spec["max"] + 1, spec["max"] + 1000]
    return out
