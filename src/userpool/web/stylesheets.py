"""The pages' style sheets: the shared design tokens (``static/tokens.css``) in front of each area's own rules,
so the hosted UI and the console keep one palette and type scale."""

from __future__ import annotations

from pathlib import Path

_TOKENS = Path(__file__).parent / "static" / "tokens.css"


def with_tokens(sheet: Path) -> bytes:
    """The tokens, then ``sheet``: one response, no @import round trip."""
    return _TOKENS.read_bytes() + b"\n" + sheet.read_bytes()
