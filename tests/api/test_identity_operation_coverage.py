"""The operations of botocore's cognito-identity model (identity pools): every one is implemented, each by the
function named after it in one operation module at the top of services/identity_pools/, none in its steps/."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import botocore.loaders

import userpool.services.identity_pools as package
from userpool.services.registry import (
    IDENTITY_OPERATION_MODULES,
    OPERATION_MODULES,
    build_table,
    defined_in,
    snake_case,
)

MODEL = botocore.loaders.Loader().load_service_model("cognito-identity", "service-2")
OPERATIONS = sorted(MODEL["operations"])
TABLE = build_table(OPERATIONS, IDENTITY_OPERATION_MODULES)


def _modules() -> list[ModuleType]:
    prefix = package.__name__ + "."
    return [importlib.import_module(info.name) for info in pkgutil.walk_packages(package.__path__, prefix)]


def test_identity_operation_coverage__every_operation_implemented() -> None:
    assert len(OPERATIONS) >= 20
    assert sorted(TABLE) == OPERATIONS
    for operation, service in TABLE.items():
        assert service.__name__ == snake_case(operation)
        assert service.__module__.startswith(package.__name__ + ".")


def test_identity_operation_coverage__one_home_at_the_top_of_the_package() -> None:
    homes: dict[str, list[str]] = {}
    for module in _modules():
        found = [op for op in OPERATIONS if defined_in(module, snake_case(op)) is not None]
        for operation in found:
            homes.setdefault(operation, []).append(module.__name__)
        top = module.__name__.count(".") == package.__name__.count(".") + 1 and not hasattr(module, "__path__")
        assert bool(found) == top, module.__name__
    assert all(len(where) == 1 for where in homes.values()), homes
    assert {m.__name__ for m in IDENTITY_OPERATION_MODULES} == {
        m.__name__
        for m in _modules()
        if m.__name__.count(".") == package.__name__.count(".") + 1 and not hasattr(m, "__path__")
    }


def test_identity_operation_coverage__the_user_pool_table_is_apart() -> None:
    """cognito-idp's table never reaches an identity pool function, though some names are alike (TagResource)."""
    assert not {m.__name__ for m in OPERATION_MODULES} & {m.__name__ for m in IDENTITY_OPERATION_MODULES}
    idp = build_table(["TagResource", "ListTagsForResource"])
    assert all(not f.__module__.startswith(package.__name__) for f in idp.values())
