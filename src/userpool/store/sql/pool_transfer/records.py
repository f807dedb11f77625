"""A table row as a record of the file and back: binary columns as base64, sealed columns opened with the server's
secrets and sealed under the file's key (or the other way round on import), derived columns computed again."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

import orjson

from userpool.crypto.export_keys import ExportKey, ExportKeyError
from userpool.crypto.sealing import Sealer, SealError
from userpool.store.sql.pool_transfer.file_format import Tampered, TransferError, UnreadableFile
from userpool.store.sql.pool_transfer.parts import Part, Row


def file_context(part: Part, record: Mapping[str, Any], field: str) -> str:
    """What a value sealed under the file's key is bound to: its record's kind and key, and its field. A sealed
    value moved onto another record or field does not open."""
    return "\x1f".join((part.kind, orjson.dumps([record[k] for k in part.key]).decode(), field))


def to_record(part: Part, row: Row, sealer: Sealer, key: ExportKey) -> dict[str, Any]:
    record: dict[str, Any] = {"kind": part.kind}
    for column, name, binary in part.layout:
        value = row[column]
        if binary and value is not None:
            value = base64.b64encode(value).decode("ascii")
        record[name] = value
    for sealed in part.sealed:
        stored = row[sealed.column]
        if stored is None:
            continue
        try:
            plain = stored if sealed.context is None else sealer.unseal(stored, sealed.context(row))
        except SealError:
            keys = ", ".join(str(record[k]) for k in part.key)
            raise TransferError(
                f"the {sealed.field} of {part.kind} {keys} does not open with this server's secrets (its "
                "USERPOOL_SECRET_KEYS or data directory are not those of the server that stored it)"
            ) from None
        record[sealed.field] = key.seal(plain, file_context(part, record, sealed.field))
    return record


def opened(part: Part, record: Mapping[str, Any], key: ExportKey, number: int) -> dict[str, str]:
    """The plain values of the record's sealed fields that are set."""
    plain: dict[str, str] = {}
    for sealed in part.sealed:
        value = record[sealed.field]
        if value is None:
            continue
        if not isinstance(value, str):
            raise UnreadableFile(f"line {number}: the {part.kind} record's {sealed.field} is not a sealed value")
        try:
            plain[sealed.field] = key.open(value, file_context(part, record, sealed.field))
        except ExportKeyError:
            raise Tampered(
                f"line {number}: the {part.kind} record's {sealed.field} does not open under the file's key"
            ) from None
    return plain


def to_row(
    part: Part, record: Mapping[str, Any], pool_id: str, sealer: Sealer, key: ExportKey, number: int
) -> dict[str, Any]:
    """The table row of a record read from a file, its secrets sealed under this server's secrets."""
    if len(record) != len(part.fields) + 1 or not all(name in record for name in part.fields):
        missing = sorted(set(part.fields) - set(record))
        extra = sorted(set(record) - {"kind", *part.fields})
        raise UnreadableFile(f"line {number}: a {part.kind} record without {missing} or with {extra}")
    row: dict[str, Any] = {part.scope: pool_id}
    for column, name, binary in part.layout:
        value = record[name]
        if binary and value is not None:
            try:
                value = base64.b64decode(value, validate=True)
            except (binascii.Error, TypeError):
                raise UnreadableFile(f"line {number}: the {part.kind} record's {column} is not base64") from None
        row[column] = value
    plain = opened(part, record, key, number)
    for sealed in part.sealed:
        if sealed.field in plain:
            value = plain[sealed.field]
            row[sealed.column] = value if sealed.context is None else sealer.seal(value, sealed.context(row))
    for column, compute in part.derived.items():
        row[column] = compute(row)
    return row
