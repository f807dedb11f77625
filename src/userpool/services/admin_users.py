"""admin_users."""

from __future__ import annotations
