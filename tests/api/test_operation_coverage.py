"""Which operations of botocore's cognito-idp model the server implements, and how it answers the rest."""

from __future__ import annotations

from typing import Any

import botocore.loaders
import pytest
from botocore.exceptions import ClientError

from userpool.services.registry import build_table, snake_case

MODEL = botocore.loaders.Loader().load_service_model("cognito-idp", "service-2")
OPERATIONS = sorted(MODEL["operations"])
TABLE = build_table(OPERATIONS)
UNIMPLEMENTED = [op for op in OPERATIONS if op not in TABLE]


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
