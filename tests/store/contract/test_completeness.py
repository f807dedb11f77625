"""Every method of every storage port protocol has a contract test: a method added to store/base.py (or to
store/federation_ports.py, store/threat_protection_ports.py, store/import_ports.py or store/identity_pool_ports.py,
the port's federation, threat protection, user import and identity pool parts) without one fails here, naming
it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import tests.store.contract as suite
from tests.store.contract.coverage import COVERED
from userpool.store import base, federation_ports, identity_pool_ports, import_ports, threat_protection_ports

PORT_MODULES = (base, federation_ports, threat_protection_ports, import_ports, identity_pool_ports)
_PORT_MODULE_NAMES = {module.__name__ for module in PORT_MODULES}


def _protocols() -> Iterator[type]:
    for module in PORT_MODULES:
        for name, value in vars(module).items():
            own = inspect.isclass(value) and value.__module__ == module.__name__
            if own and getattr(value, "_is_protocol", False) and (name.endswith("Repo") or name in ("Tx", "Store")):
                yield value


def port_methods() -> set[str]:
    """ "Protocol.member" for each public method and property of the port, inherited ones included. Tx's
    repository properties are left out: every contract test goes through them."""
    methods: set[str] = set()
    for protocol in _protocols():
        for owner in protocol.__mro__:
            if owner.__module__ not in _PORT_MODULE_NAMES:
                continue
            for member, value in vars(owner).items():
                if member.startswith("_") or (not callable(value) and not isinstance(value, property)):
                    continue
                if protocol is base.Tx and isinstance(value, property):
                    continue
                methods.add(f"{protocol.__name__}.{member}")
    return methods


def _load_suite() -> None:
    for module in pkgutil.iter_modules(suite.__path__):
        if module.name.startswith("test_"):
            importlib.import_module(f"{suite.__name__}.{module.name}")


def test_every_port_method_has_a_contract_test() -> None:
    _load_suite()
    methods = port_methods()
    assert len(methods) > 100  # the introspection found the protocols
    missing = sorted(methods - COVERED.keys())
    assert missing == [], f"port methods without a contract test (mark one with @covers): {missing}"


def test_every_covered_name_is_a_port_method() -> None:
    _load_suite()
    unknown = {name: tests for name, tests in COVERED.items() if name not in port_methods()}
    assert unknown == {}, f"@covers names no port method: {unknown}"
