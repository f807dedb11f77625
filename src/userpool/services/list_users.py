"""list_users."""

from __future__ import annotations
