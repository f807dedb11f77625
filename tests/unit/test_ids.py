"""Identifiers: a request id is a random version-4 UUID in its usual text form, as ``str(uuid.uuid4())`` writes one."""

from __future__ import annotations

import uuid

from userpool.ids import new_request_id


def test_request_ids__version_4_uuids_in_canonical_form() -> None:
    ids = [new_request_id() for _ in range(2_000)]
    for request_id in ids:
        parsed = uuid.UUID(request_id)
        assert str(parsed) == request_id
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
    assert len(set(ids)) == len(ids)
    # Every random bit varies: across 2,000 ids none of the 122 stays the same.
    bits = [uuid.UUID(request_id).int for request_id in ids]
    fixed = (0xF << 76) | (0x3 << 62)  # the version and variant bits
    varying = 0
    for value in bits:
        varying |= value ^ bits[0]
    assert varying == ((1 << 128) - 1) & ~fixed
