"""The lines of an import file, read one at a time with a bound on each: a file of any size goes through in the
memory of one line ('Creating the user import CSV file': "The maximum row length is 16,000 characters").

Lines end with ``\\n`` (a ``\\r`` before it is dropped); a line is never more than the bound in memory: the rest
of a longer one is read past in pieces and the line fails. Blank lines are passed over. ``offset`` is where the
next line begins, so that an import can go on from a line it recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from userpool.model.import_jobs import MAX_ROW_CHARACTERS

# UTF-8 takes at most 4 bytes a character; and the line end.
_MAX_LINE_BYTES = MAX_ROW_CHARACTERS * 4 + 2
_SKIP_CHUNK = 64 * 1024
TOO_LONG = f"The line is longer than {MAX_ROW_CHARACTERS:,} characters."
NOT_UTF8 = "The line is not UTF-8."


@dataclass(frozen=True, slots=True)
class Line:
    """Line ``number`` of the file (the header is line 1): its text, or why it cannot be read; ``end`` is the
    offset of the next line."""

    number: int
    text: str
    problem: str
    end: int


def _rest_of_line(file: BinaryIO) -> None:
    while True:
        piece = file.readline(_SKIP_CHUNK)
        if not piece or piece.endswith(b"\n"):
            return


def read_line(file: BinaryIO) -> tuple[str, str] | None:
    """The next physical line as (text, problem), or None at the end of the file."""
    raw = file.readline(_MAX_LINE_BYTES)
    if not raw:
        return None
    if not raw.endswith(b"\n") and len(raw) == _MAX_LINE_BYTES:
        _rest_of_line(file)
        return "", TOO_LONG
    raw = raw.rstrip(b"\n").rstrip(b"\r")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "", NOT_UTF8
    if len(text) > MAX_ROW_CHARACTERS:
        return "", TOO_LONG
    return text, ""


def lines(file: BinaryIO, number: int) -> Iterator[Line]:
    """The lines from the file's current position on, numbered from ``number + 1``; blank ones passed over."""
    while True:
        found = read_line(file)
        if found is None:
            return
        number += 1
        text, problem = found
        if not problem and not text.strip():
            continue
        yield Line(number, text, problem, file.tell())
