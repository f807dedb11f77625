"""The port through which the server exports a pool's log events (SetLogDeliveryConfiguration).

``ship`` hands an event over for a destination ARN and returns at once: delivery happens off the request
path, and it is best effort, as Cognito's is ('Exporting logs from Amazon Cognito user pools': "Delivery of
logs from Amazon Cognito is best effort"). It never raises and never blocks on a file or a network.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class LogShipper(Protocol):
    def ship(self, destination: str, event: Mapping[str, Any]) -> None:
        """Queue ``event`` (a JSON object) for the sink that stands for the ARN ``destination``."""
        ...


class NoLogShipper:
    """Ships nothing: for a process that exports no logs (tools, tests of other things)."""

    def ship(self, destination: str, event: Mapping[str, Any]) -> None:
        return None
