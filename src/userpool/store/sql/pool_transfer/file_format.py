"""The pool export file (docs/pool-export.md): JSON lines, a header, the records, an end record; every line
carries the MAC of the lines up to it, so that nothing in the file can be changed, dropped, added or moved
without the reader noticing. A reader refuses a file whose format or version it does not know before it asks for
a key, a wrong key before reading a record, and an altered line at the line.

A line is the record's JSON with one more member at its end, ``"mac"``: HMAC-SHA256 under the file's key of the
previous line's MAC followed by the record's JSON as written (without that member), so the MAC covers the exact
bytes and no canonical form of JSON is needed.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import IO, Any

import orjson

from userpool import __version__
from userpool.crypto.export_keys import ExportKey, ExportKeyError, b64, unb64

FORMAT = "userpool-pool-export"
VERSION = 1
HEADER = "header"
END = "end"
_MAC = b',"mac":"'
_MAC_CHARS = 43  # base64url of 32 bytes, unpadded
# A line is a record (an image of UI customization at most is large); a longer one is not from an export.
MAX_LINE_BYTES = 16 * 1024 * 1024


class TransferError(Exception):
    """An export or import that cannot go on; ``str()`` says why, for the operator."""


class UnreadableFile(TransferError):
    """Not a pool export this server reads: another format, an unknown version, malformed lines."""


class WrongKey(TransferError):
    pass


class Tampered(TransferError):
    pass


def new_header(pool_id: str, schema_revision: str | None, key: ExportKey) -> dict[str, Any]:
    """The first line. Nothing in it depends on when the file is written (its modification time says that): two
    exports of an unchanged pool under one key are the same bytes."""
    return {
        "kind": HEADER,
        "format": FORMAT,
        "version": VERSION,
        "server_version": __version__,
        "schema_revision": schema_revision,
        "pool_id": pool_id,
        "kdf": key.kdf,
        "key_check": key.check,
    }


class Writer:
    """Writes the header at once, records as they come, and the end record with the count of each kind."""

    def __init__(self, out: IO[bytes], key: ExportKey, header: dict[str, Any]) -> None:
        self._out = out
        self._key = key
        self._previous = b""
        self.counts: dict[str, int] = {}
        self._line(header)

    def _line(self, record: dict[str, Any]) -> None:
        body = orjson.dumps(record)
        mac = self._key.line_mac(self._previous, body)
        self._previous = mac
        self._out.write(body[:-1] + _MAC + b64(mac).encode("ascii") + b'"}\n')

    def write(self, record: dict[str, Any]) -> None:
        self._line(record)
        self.counts[record["kind"]] = self.counts.get(record["kind"], 0) + 1

    def end(self) -> None:
        self._line({"kind": END, "counts": self.counts})


def _split(line: bytes, number: int) -> tuple[bytes, bytes]:
    """The record's bytes and its MAC, from a line as written."""
    if not line.endswith(b"\n"):
        raise UnreadableFile(
            f"line {number} is longer than {MAX_LINE_BYTES:,} bytes"
            if len(line) >= MAX_LINE_BYTES
            else "the file ends in the middle of a line (was it cut short?)"
        )
    line = line[:-1]
    at = line.rfind(_MAC)
    if at < 0 or not line.endswith(b'"}') or len(line) - at - len(_MAC) - 2 != _MAC_CHARS:
        raise UnreadableFile(f"line {number} is not a line of a pool export (no MAC at its end)")
    try:
        mac = unb64(line[at + len(_MAC) : -2].decode("ascii"))
    except ValueError:
        raise UnreadableFile(f"line {number} is not a line of a pool export (its MAC is malformed)") from None
    return line[:at] + b"}", mac


def _parse(body: bytes, number: int) -> dict[str, Any]:
    try:
        record = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise UnreadableFile(f"line {number} is not JSON") from None
    if not isinstance(record, dict) or not isinstance(record.get("kind"), str):
        raise UnreadableFile(f"line {number} is not a record")
    return record


class Reader:
    """Reads the header on construction (unverified: it names the key derivation), ``unlock``s with the operator's
    secret, then yields the records, each verified before it is parsed."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        first = source.readline(MAX_LINE_BYTES)
        if not first:
            raise UnreadableFile("the file is empty")
        try:
            self._header_body, self._header_mac = _split(first, 1)
            self.header = _parse(self._header_body, 1)
        except UnreadableFile:
            raise UnreadableFile("this is not a userpool pool export") from None
        if self.header.get("kind") != HEADER or self.header.get("format") != FORMAT:
            raise UnreadableFile("this is not a userpool pool export")
        version = self.header.get("version")
        if version != VERSION:
            raise UnreadableFile(f"the file is of format version {version}; this server reads version {VERSION}")
        if not isinstance(self.header.get("pool_id"), str) or not isinstance(self.header.get("key_check"), str):
            raise UnreadableFile("the file's header is malformed")
        self._key: ExportKey | None = None

    @property
    def pool_id(self) -> str:
        return str(self.header["pool_id"])

    def unlock(self, secret: bytes) -> ExportKey:
        try:
            key = ExportKey(secret, self.header.get("kdf"))
        except ExportKeyError as exc:
            raise UnreadableFile(str(exc)) from None
        if not key.opens(str(self.header["key_check"])):
            raise WrongKey("the key does not open this file: another passphrase or key file was used to export it")
        if not _equal(key.line_mac(b"", self._header_body), self._header_mac):
            raise Tampered("the file has been altered: line 1 (the header) does not match its MAC")
        self._key = key
        return key

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(line number, record) of every record between the header and the end record, each verified before it
        is handed out. The end record, with the count of each kind, is verified when the last record has been
        handled: whoever writes the records commits only once this iterator is exhausted."""
        key = self._key
        if key is None:
            raise RuntimeError("unlock the file first")
        previous = self._header_mac
        counts: dict[str, int] = {}
        number = 1
        while True:
            number += 1
            line = self._source.readline(MAX_LINE_BYTES)
            if not line:
                raise UnreadableFile("the file ends before its end record (was it cut short?)")
            body, mac = _split(line, number)
            if not _equal(key.line_mac(previous, body), mac):
                raise Tampered(f"the file has been altered: line {number} does not match its MAC")
            previous = mac
            record = _parse(body, number)
            if record["kind"] == END:
                if record.get("counts") != counts:
                    raise UnreadableFile("the end record's counts are not those of the records read")
                if self._source.readline(1):
                    raise UnreadableFile(f"the file goes on after its end record, on line {number + 1}")
                return
            if record["kind"] == HEADER:
                raise UnreadableFile(f"line {number} is a second header")
            counts[record["kind"]] = counts.get(record["kind"], 0) + 1
            yield number, record


def _equal(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)
