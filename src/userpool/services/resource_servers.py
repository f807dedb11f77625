"""resource_servers."""

from __future__ import annotations
