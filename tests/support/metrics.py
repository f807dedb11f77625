"""Reading a server's ``/metrics`` as Prometheus does: the text parsed by prometheus_client's parser."""

from __future__ import annotations

import http.client
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True)
class Scrape:
    """The samples of one scrape: (sample name, sorted labels) -> value."""

    samples: Mapping[tuple[str, tuple[tuple[str, str], ...]], float]
    text: str

    def value(self, name: str, **labels: str) -> float:
        """The sample ``name`` with exactly ``labels``; 0 when the server has none yet."""
        return self.samples.get((name, tuple(sorted(labels.items()))), 0.0)

    def names(self) -> set[str]:
        return {name for name, _ in self.samples}


def get_metrics(base_url: str, headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """``GET /metrics`` on a connection of its own: the status, headers (lower-case names) and text."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=10)
    try:
        connection.request("GET", "/metrics", headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
    finally:
        connection.close()


def parse(text: str) -> Scrape:
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return Scrape(samples, text)


def scrape(base_url: str, headers: Mapping[str, str] | None = None) -> Scrape:
    status, _, text = get_metrics(base_url, headers)
    assert status == 200, text
    return parse(text)
