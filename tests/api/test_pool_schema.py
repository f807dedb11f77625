"""A pool's attribute schema through boto3: CreateUserPool's Schema, AddCustomAttributes, GetCSVHeader."""

from __future__ import annotations

from typing import Any

from tests.support.pools import STANDARD_ATTRIBUTE_ORDER, described, error_of, schema_by_name


def test_create_user_pool__schema_custom_and_standard_attributes(idp: Any) -> None:
    pool = idp.create_user_pool(
        PoolName="schema",
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
            {"Name": "given_name", "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"}},
            {"Name": "team", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "32"}},
            {"Name": "level", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "1"}},
            {"Name": "plain", "AttributeDataType": "String"},
            {"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": True, "Mutable": False},
        ],
    )["UserPool"]
    names = [a["Name"] for a in pool["SchemaAttributes"]]
    assert names == [*STANDARD_ATTRIBUTE_ORDER, "custom:team", "custom:level", "custom:plain", "dev:custom:secret"]
    schema = schema_by_name(pool)
    assert schema["email"]["Required"] is True
    assert schema["given_name"]["StringAttributeConstraints"] == {"MinLength": "1", "MaxLength": "64"}
    assert schema["custom:team"] == {
        "Name": "custom:team",
        "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False,
        "Mutable": True,
        "Required": False,
        "StringAttributeConstraints": {"MaxLength": "32"},
    }
    assert schema["custom:level"]["NumberAttributeConstraints"] == {"MinValue": "1"}
    assert schema["custom:plain"]["StringAttributeConstraints"] == {}
    assert schema["dev:custom:secret"]["DeveloperOnlyAttribute"] is True
    assert schema["dev:custom:secret"]["Mutable"] is False


def test_create_user_pool__rejects_bad_schema(idp: Any) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"Name": "team", "AttributeDataType": "String", "Required": True},
            "Required custom attributes are not supported currently.",
        ),
        (
            {"Name": "team"},
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
        ),
        (
            {
                "Name": "team",
                "AttributeDataType": "String",
                "StringAttributeConstraints": {"MinLength": "9", "MaxLength": "3"},
            },
            "user.custom:team: Max length cannot be less than min length.",
        ),
        (
            {"Name": "team", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "4096"}},
            "user.custom:team: String attributes cannot have a length of more than 2048",
        ),
        (
            {"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "ten"}},
            "Invalid NumberAttributeConstraints for schema attribute custom:age",
        ),
        (
            {"Name": "email", "AttributeDataType": "Number"},
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email",
        ),
    ]
    for attribute, message in cases:
        assert error_of(lambda a=attribute: idp.create_user_pool(PoolName="bad", Schema=[a])) == (
            "InvalidParameterException",
            message,
        )
    duplicate = [{"Name": "team", "AttributeDataType": "String"}, {"Name": "team", "AttributeDataType": "Number"}]
    assert error_of(lambda: idp.create_user_pool(PoolName="bad", Schema=duplicate)) == (
        "InvalidParameterException",
        "custom:team: Existing attribute already has name custom:team.",
    )
    assert idp.list_user_pools(MaxResults=10)["UserPools"] == []


def test_add_custom_attributes__appends_to_the_schema(idp: Any, pool_id: str) -> None:
    idp.add_custom_attributes(
        UserPoolId=pool_id,
        CustomAttributes=[
            {"Name": "tenant", "AttributeDataType": "String", "Mutable": False},
            {"Name": "score", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MaxValue": "100"}},
        ],
    )
    idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[{"Name": "flag", "AttributeDataType": "Boolean"}])
    pool = described(idp, pool_id)
    assert [a["Name"] for a in pool["SchemaAttributes"]][20:] == ["custom:tenant", "custom:score", "custom:flag"]
    schema = schema_by_name(pool)
    assert schema["custom:tenant"]["Mutable"] is False
    assert schema["custom:score"]["NumberAttributeConstraints"] == {"MaxValue": "100"}
    assert "NumberAttributeConstraints" not in schema["custom:flag"]


def test_add_custom_attributes__errors_add_nothing(idp: Any, pool_id: str) -> None:
    idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[{"Name": "team", "AttributeDataType": "String"}])
    before = described(idp, pool_id)["SchemaAttributes"]
    duplicate = [{"Name": "fresh", "AttributeDataType": "String"}, {"Name": "team", "AttributeDataType": "String"}]
    assert error_of(lambda: idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=duplicate)) == (
        "InvalidParameterException",
        "custom:team: Existing attribute already has name custom:team.",
    )
    required = [{"Name": "must", "AttributeDataType": "String", "Required": True}]
    assert error_of(lambda: idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=required)) == (
        "InvalidParameterException",
        "Required custom attributes are not supported currently.",
    )
    for batch in range(2):
        attributes = [{"Name": f"a{batch}_{i}", "AttributeDataType": "String"} for i in range(24)]
        idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=attributes)
    full = described(idp, pool_id)["SchemaAttributes"]
    assert len(full) == 20 + 49
    one_too_many = [{"Name": "x1", "AttributeDataType": "String"}, {"Name": "x2", "AttributeDataType": "String"}]
    code, message = error_of(lambda: idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=one_too_many))
    assert code == "InvalidParameterException" and "at most 50 custom attributes" in message
    assert described(idp, pool_id)["SchemaAttributes"] == full
    assert full[: len(before)] == before
    missing = [{"Name": "x", "AttributeDataType": "String"}]
    assert error_of(lambda: idp.add_custom_attributes(UserPoolId="eu-west-1_missing00", CustomAttributes=missing)) == (
        "ResourceNotFoundException",
        "User pool eu-west-1_missing00 does not exist.",
    )


def test_get_csv_header__lists_schema_columns_in_cognito_order(idp: Any, pool_id: str) -> None:
    idp.add_custom_attributes(
        UserPoolId=pool_id, CustomAttributes=[{"Name": "joinedOn", "AttributeDataType": "String"}]
    )
    answer = idp.get_csv_header(UserPoolId=pool_id)
    assert answer["UserPoolId"] == pool_id
    assert answer["CSVHeader"] == [
        *STANDARD_ATTRIBUTE_ORDER[1:],
        "custom:joinedOn",
        "cognito:mfa_enabled",
        "cognito:username",
    ]
    assert error_of(lambda: idp.get_csv_header(UserPoolId="eu-west-1_missing00")) == (
        "ResourceNotFoundException",
        "User pool eu-west-1_missing00 does not exist.",
    )
