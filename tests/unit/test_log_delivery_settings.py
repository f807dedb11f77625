"""The ``log_delivery`` setting: which sink stands for each destination ARN, from the TOML file and the
environment, and the sink specs refused at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from userpool.config import LogDeliverySettings, LogSink, load_settings, log_sink

GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/userpool/auth"
STREAM = "arn:aws:firehose:us-east-1:123456789012:deliverystream/activity"


def test_settings__log_delivery_defaults_to_a_file_per_destination() -> None:
    delivery = load_settings(environ={}).log_delivery
    assert delivery == LogDeliverySettings()
    assert delivery.destinations == {} and delivery.default_sink is None and delivery.directory == ""


@pytest.mark.parametrize(
    ("spec", "sink"),
    [
        ("file:///var/log/userpool.jsonl", LogSink("file", "/var/log/userpool.jsonl")),
        ("file://localhost/var/log/a%20b.jsonl", LogSink("file", "/var/log/a b.jsonl")),
        ("stdout", LogSink("stdout")),
        ("none", LogSink("none")),
        ("https://logs.example.com/hook?k=1", LogSink("webhook", "https://logs.example.com/hook?k=1")),
        ("http://127.0.0.1:8080/hook", LogSink("webhook", "http://127.0.0.1:8080/hook")),
        ("http://[::1]:8080/hook", LogSink("webhook", "http://[::1]:8080/hook")),
        ("http://localhost/hook", LogSink("webhook", "http://localhost/hook")),
        ("otlp+https://collector.example.com:4318/", LogSink("otlp", "https://collector.example.com:4318")),
        ("otlp+http://127.0.0.1:4318", LogSink("otlp", "http://127.0.0.1:4318")),
    ],
)
def test_settings__log_sink_specs(spec: str, sink: LogSink) -> None:
    assert log_sink(spec) == sink


@pytest.mark.parametrize(
    "spec",
    [
        "file://var/log/x.jsonl",  # a host, not a path
        "file:///var/log/",  # a folder
        "http://logs.example.com/hook",  # plain HTTP leaving the machine
        "otlp+http://10.0.0.5:4318",
        "otlp",  # without an otlp_endpoint
        "ftp://example.com/x",
        "syslog",
    ],
)
def test_settings__log_sink_specs_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="log_delivery"):
        log_sink(spec)


def test_settings__log_delivery_from_toml_with_the_environment_on_top(tmp_path: Path) -> None:
    path = tmp_path / "userpool.toml"
    path.write_text(
        "[log_delivery]\n"
        'otlp_endpoint = "https://collector.example.com:4318"\n'
        'default_sink = "stdout"\n'
        "[log_delivery.destinations]\n"
        f'"{GROUP}" = "file:///var/log/auth.jsonl"\n'
        f'"{STREAM}" = "otlp"\n'
    )
    delivery = load_settings(
        environ={
            "USERPOOL_LOG_DELIVERY__DESTINATIONS": f'{{"{GROUP}": "https://hooks.example.com/cognito"}}',
            "USERPOOL_LOG_DELIVERY__TIMEOUT_SECONDS": "2.5",
            "USERPOOL_LOG_DELIVERY__DIRECTORY": "/srv/userpool/logs",
        },
        toml_path=path,
    ).log_delivery
    assert delivery.destinations == {
        GROUP: LogSink("webhook", "https://hooks.example.com/cognito"),
        STREAM: LogSink("otlp", "https://collector.example.com:4318"),
    }
    assert delivery.default_sink == LogSink("stdout")
    assert delivery.timeout_seconds == 2.5
    assert delivery.directory == "/srv/userpool/logs"


@pytest.mark.parametrize(
    "environ",
    [
        {"USERPOOL_LOG_DELIVERY__DESTINATIONS": f"{GROUP}=stdout"},  # not JSON
        {"USERPOOL_LOG_DELIVERY__DESTINATIONS": '["stdout"]'},
        {"USERPOOL_LOG_DELIVERY__SINKS": "{}"},
        {"USERPOOL_LOG_DELIVERY__DEFAULT_SINK": "http://logs.example.com/"},
    ],
)
def test_settings__log_delivery_refused_from_the_environment(environ: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        load_settings(environ=environ)


def test_settings__log_delivery_unknown_key_in_toml(tmp_path: Path) -> None:
    path = tmp_path / "userpool.toml"
    path.write_text('[log_delivery]\nsinks = "stdout"\n')
    with pytest.raises(ValueError, match="log_delivery"):
        load_settings(environ={}, toml_path=path)
