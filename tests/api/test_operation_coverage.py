"""Which operations of botocore's cognito-idp model the server implements, and how it answers the rest."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from types import ModuleType
from typing import Any

import botocore.loaders
import pytest
from botocore.exceptions import ClientError

import userpool.services
from userpool.services.registry import OPERATION_MODULES, build_table, defined_in, snake_case
from userpool.services.users import admin_users

MODEL = botocore.loaders.Loader().load_service_model("cognito-idp", "service-2")
OPERATIONS = sorted(MODEL["operations"])
TABLE = build_table(OPERATIONS)
UNIMPLEMENTED = [op for op in OPERATIONS if op not in TABLE]
OPERATION_NAMES = {snake_case(op): op for op in OPERATIONS}
# The packages whose top-level modules answer Cognito operations (services/__init__.py).
AREAS = (
    "directory",
    "users",
    "sign_up",
    "sign_in",
    "tokens",
    "self_service",
    "federation",
    "threat_protection",
    "user_import",
)


# cognito-identity's operations live there (test_identity_operation_coverage.py); some share names with
# cognito-idp's (TagResource, ...).
IDENTITY_PACKAGE = "userpool.services.identity_pools"


def _services_modules() -> list[ModuleType]:
    prefix = userpool.services.__name__ + "."
    names = [info.name for info in pkgutil.walk_packages(userpool.services.__path__, prefix)]
    names = [name for name in names if name != IDENTITY_PACKAGE and not name.startswith(IDENTITY_PACKAGE + ".")]
    return [importlib.import_module(name) for name in names]


def _operations_defined(module: ModuleType) -> set[str]:
    return {OPERATION_NAMES[name] for name in OPERATION_NAMES if defined_in(module, name) is not None}


def _required(operation: str) -> set[str]:
    spec = MODEL["operations"][operation].get("input")
    return set(MODEL["shapes"][spec["shape"]].get("required", [])) if spec else set()


def test_operation_coverage__report() -> None:
    print(f"\n{len(TABLE)} of {len(OPERATIONS)} cognito-idp operations implemented; not implemented:")
    for op in UNIMPLEMENTED:
        print(f"  {op}")
    assert len(TABLE) + len(UNIMPLEMENTED) == len(OPERATIONS)


def test_operation_coverage__table_entries_are_model_operations() -> None:
    assert set(TABLE) <= set(MODEL["operations"])
    for operation, service in TABLE.items():
        assert service.__name__ == snake_case(operation)
        assert callable(service)


def test_operation_coverage__found_where_defined() -> None:
    # The registry takes each function from the module that defines it: a module that only imports an
    # operation's function does not answer that operation.
    names = {module.__name__ for module in OPERATION_MODULES}
    for operation, service in TABLE.items():
        assert service.__module__ in names, operation
        assert getattr(sys.modules[service.__module__], snake_case(operation)) is service
    importer = ModuleType("importer")
    vars(importer)["admin_get_user"] = admin_users.admin_get_user
    assert defined_in(importer, "admin_get_user") is None
    assert defined_in(admin_users, "admin_get_user") is admin_users.admin_get_user


def test_operation_coverage__one_module_per_operation() -> None:
    homes: dict[str, list[str]] = {}
    for module in _services_modules():
        for operation in _operations_defined(module):
            homes.setdefault(operation, []).append(module.__name__)
    assert {op: where for op, where in homes.items() if len(where) > 1} == {}
    assert set(homes) == set(TABLE)


def test_operation_coverage__operations_at_the_top_of_the_area_packages() -> None:
    # An area package's top-level modules are its operation modules, each answering at least one
    # operation; its steps/ modules, and every module outside the areas, answer none.
    tops = set()
    for area in AREAS:
        package = importlib.import_module(f"userpool.services.{area}")
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if not info.ispkg:
                tops.add(info.name)
    assert {module.__name__ for module in OPERATION_MODULES} == tops
    for module in _services_modules():
        assert bool(_operations_defined(module)) == (module.__name__ in tops), module.__name__


def test_operation_coverage__unimplemented_answers_unsupported(idp: Any, pool_id: str) -> None:
    # Every signed, unimplemented operation that needs nothing but a pool id can be called validly.
    callable_ops = [
        op
        for op in UNIMPLEMENTED
        if _required(op) <= {"UserPoolId"} and MODEL["operations"][op].get("authtype") != "none"
    ]
    if not callable_ops:
        pytest.skip("every operation that needs only a UserPoolId is implemented")
    for operation in callable_ops:
        params = {"UserPoolId": pool_id} if "UserPoolId" in _required(operation) else {}
        with pytest.raises(ClientError) as exc:
            idp._make_api_call(operation, params)
        error = exc.value.response["Error"]
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400, operation
        assert error["Code"] == "UnsupportedOperationException", operation
        assert operation in error["Message"]
        assert "not implemented" in error["Message"]
