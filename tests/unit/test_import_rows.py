"""A user import file's header and rows read against a pool (model/import_rows.py)."""

from __future__ import annotations

from typing import Any

import pytest

from userpool.model.import_rows import NOT_VERIFIED, HeaderProblem, RowProblem, read_header, read_row, split_line
from userpool.model.pool_config import create_config
from userpool.model.records import Pool
from userpool.model.schema import csv_header


def _pool(**request: Any) -> Pool:
    config = create_config({"PoolName": "p", "AutoVerifiedAttributes": ["email"], **request})
    return Pool("us-east-1_Rows", "p", config, 0.0, 0.0)


def _row(pool: Pool, values: dict[str, str], algorithm: str | None = None, extra: tuple[str, ...] = ()) -> Any:
    columns = [*csv_header(pool.config["SchemaAttributes"]), *extra]
    header = read_header(pool, columns)
    return read_row(pool, header, [values.get(c, "") for c in columns], algorithm)


BASE = {"cognito:username": "ann", "email": "ann@example.com", "email_verified": "TRUE", "cognito:mfa_enabled": "FALSE"}


def test_split_line__escaped_commas_and_quotes() -> None:
    assert split_line(r"a,b\,c,") == ["a", "b,c", ""]
    assert split_line('"x, y",z') == ["x, y", "z"]
    with pytest.raises(RowProblem):
        split_line('"open')


def test_read_header__any_order_a_bom_and_the_hash_column() -> None:
    pool = _pool()
    columns = list(reversed(csv_header(pool.config["SchemaAttributes"])))
    columns[0] = "\ufeff" + columns[0]
    header = read_header(pool, [*columns, "cognito:password_hash"])
    assert header.columns["cognito:username"] == 0
    with pytest.raises(HeaderProblem, match="missing columns: cognito:mfa_enabled"):
        read_header(pool, [c for c in columns if c != "cognito:mfa_enabled"])


def test_read_row__values_trimmed_birthdate_and_status() -> None:
    pool = _pool()
    row = _row(pool, {**BASE, "given_name": "  Ann  ", "birthdate": "12/31/1990"})
    assert row.username == "ann"
    assert row.attributes == {
        "email": "ann@example.com",
        "email_verified": "TRUE",
        "given_name": "Ann",
        "birthdate": "1990-12-31",
    }
    assert (row.mfa_enabled, row.password_hash) == (False, None)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"email_verified": ""}, NOT_VERIFIED),
        ({"email_verified": "yes"}, "email_verified value must be true or false"),
        ({"phone_number_verified": "true"}, "phone_number_verified is true but the phone_number value is empty."),
        ({"cognito:mfa_enabled": ""}, "cognito:mfa_enabled value is required"),
        ({"cognito:username": "a\tb"}, "must not contain spaces or tabs"),
        ({"cognito:password_hash": "$2b$..."}, "no PasswordHashingAlgorithm"),
    ],
)
def test_read_row__problems(change: dict[str, str], reason: str) -> None:
    with pytest.raises(RowProblem, match=reason.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        _row(_pool(), {**BASE, **change}, extra=("cognito:password_hash",))


def test_read_row__only_auto_verified_attribute_must_be_verified() -> None:
    pool = _pool(AutoVerifiedAttributes=["phone_number"])
    with pytest.raises(RowProblem, match="auto verified"):
        _row(pool, BASE)
    both = _pool(AutoVerifiedAttributes=["email", "phone_number"])
    assert _row(both, BASE).username == "ann"
