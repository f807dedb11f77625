"""Pool domains through boto3: CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain,
DeleteUserPoolDomain, and the Domain / CustomDomain members of DescribeUserPool."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server
from tests.support.errors import fails

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def _other_pool(idp: Any) -> str:
    return str(idp.create_user_pool(PoolName="other")["UserPool"]["Id"])


def test_create_user_pool_domain__prefix_domain(idp: Any, pool_id: str) -> None:
    created = idp.create_user_pool_domain(UserPoolId=pool_id, Domain="my-app-login")
    assert {k: v for k, v in created.items() if k != "ResponseMetadata"} == {"ManagedLoginVersion": 1}
    description = idp.describe_user_pool_domain(Domain="my-app-login")["DomainDescription"]
    assert description["UserPoolId"] == pool_id
    assert description["Domain"] == "my-app-login"
    assert description["AWSAccountId"] == "123456789012"
    assert description["Status"] == "ACTIVE"
    assert description["ManagedLoginVersion"] == 1
    assert "CustomDomainConfig" not in description
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Domain"] == "my-app-login"
    assert "CustomDomain" not in pool


def test_create_user_pool_domain__managed_login_version(idp: Any, pool_id: str) -> None:
    created = idp.create_user_pool_domain(UserPoolId=pool_id, Domain="my-app-login", ManagedLoginVersion=2)
    assert created["ManagedLoginVersion"] == 2
    assert idp.describe_user_pool_domain(Domain="my-app-login")["DomainDescription"]["ManagedLoginVersion"] == 2
    code, _ = fails(idp.create_user_pool_domain, UserPoolId=_other_pool(idp), Domain="else", ManagedLoginVersion=3)
    assert code == "InvalidParameterException"


def test_create_user_pool_domain__taken_by_another_pool(idp: Any, pool_id: str) -> None:
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="my-app-login")
    other = _other_pool(idp)
    assert fails(idp.create_user_pool_domain, UserPoolId=other, Domain="my-app-login") == (
        "InvalidParameterException",
        "Domain already associated with another user pool.",
    )
    assert fails(idp.create_user_pool_domain, UserPoolId=pool_id, Domain="my-app-login") == (
        "InvalidParameterException",
        "Domain already exists.",
    )
    assert idp.describe_user_pool(UserPoolId=other)["UserPool"].get("Domain") is None


def test_create_user_pool_domain__one_prefix_domain_per_pool(idp: Any, pool_id: str) -> None:
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="first-login")
    assert fails(idp.create_user_pool_domain, UserPoolId=pool_id, Domain="second-login") == (
        "InvalidParameterException",
        "User pool already has a domain configured.",
    )
    assert idp.describe_user_pool_domain(Domain="second-login")["DomainDescription"] == {}


def test_create_user_pool_domain__bad_prefixes(app_server: Server, idp: Any, pool_id: str) -> None:
    for word in ("aws", "amazon", "cognito"):
        assert fails(idp.create_user_pool_domain, UserPoolId=pool_id, Domain=f"my-{word}-login") == (
            "InvalidParameterException",
            f"Domain cannot contain reserved word: {word}",
        )
    unchecked = app_server.client(parameter_validation=False)
    for prefix in ("My-App", "-leading", "has_underscore", ""):
        code, _ = fails(unchecked.create_user_pool_domain, UserPoolId=pool_id, Domain=prefix)
        assert code == "InvalidParameterException", prefix
    assert "Domain" not in idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]


def test_create_user_pool_domain__routing_needs_a_custom_domain(idp: Any, pool_id: str) -> None:
    routing = {"Failover": {"SecondaryRegion": "us-west-2", "PrimaryRoute53HealthCheckId": "abc"}}
    code, _ = fails(idp.create_user_pool_domain, UserPoolId=pool_id, Domain="my-app-login", Routing=routing)
    assert code == "InvalidParameterException"


def test_create_user_pool_domain__unknown_pool(idp: Any) -> None:
    assert fails(idp.create_user_pool_domain, UserPoolId="eu-west-1_nothere00", Domain="my-app-login") == (
        "ResourceNotFoundException",
        "User pool eu-west-1_nothere00 does not exist.",
    )


def test_create_user_pool_domain__custom_domain(idp: Any, pool_id: str) -> None:
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="my-app-login")
    created = idp.create_user_pool_domain(
        UserPoolId=pool_id, Domain="auth.example.com", CustomDomainConfig={"CertificateArn": CERT}
    )
    assert created["CloudFrontDomain"]
    description = idp.describe_user_pool_domain(Domain="auth.example.com")["DomainDescription"]
    assert description["CustomDomainConfig"] == {"CertificateArn": CERT}
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert (pool["Domain"], pool["CustomDomain"]) == ("my-app-login", "auth.example.com")
    assert fails(
        idp.create_user_pool_domain,
        UserPoolId=pool_id,
        Domain="login.example.com",
        CustomDomainConfig={"CertificateArn": CERT},
    ) == ("InvalidParameterException", "User pool already has a domain configured.")


def test_describe_user_pool_domain__unknown_domain_is_empty(idp: Any) -> None:
    answer = idp.describe_user_pool_domain(Domain="nobody-has-this")
    assert answer["DomainDescription"] == {}


def test_update_user_pool_domain__changes_login_version(idp: Any, pool_id: str) -> None:
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="my-app-login")
    updated = idp.update_user_pool_domain(UserPoolId=pool_id, Domain="my-app-login", ManagedLoginVersion=2)
    assert updated["ManagedLoginVersion"] == 2
    assert "CloudFrontDomain" not in updated
    assert idp.describe_user_pool_domain(Domain="my-app-login")["DomainDescription"]["ManagedLoginVersion"] == 2


def test_update_user_pool_domain__certificate_needs_a_custom_domain(idp: Any, pool_id: str) -> None:
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="my-app-login")
    code, _ = fails(
        idp.update_user_pool_domain,
        UserPoolId=pool_id,
        Domain="my-app-login",
        CustomDomainConfig={"CertificateArn": CERT},
    )
    assert code == "InvalidParameterException"
    assert "CustomDomainConfig" not in idp.describe_user_pool_domain(Domain="my-app-login")["DomainDescription"]


def test_update_user_pool_domain__not_found(idp: Any, pool_id: str) -> None:
    other = _other_pool(idp)
    idp.create_user_pool_domain(UserPoolId=other, Domain="my-app-login")
    for domain in ("my-app-login", "missing-login"):
        code, _ = fails(idp.update_user_pool_domain, UserPoolId=pool_id, Domain=domain, ManagedLoginVersion=2)
        assert code == "ResourceNotFoundException", domain
    assert idp.describe_user_pool_domain(Domain="my-app-login")["DomainDescription"]["ManagedLoginVersion"] == 1


def test_delete_user_pool_domain__frees_the_prefix(idp: Any, pool_id: str) -> None:
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="my-app-login")
    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain="my-app-login")
    assert idp.describe_user_pool_domain(Domain="my-app-login")["DomainDescription"] == {}
    assert "Domain" not in idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    other = _other_pool(idp)
    idp.create_user_pool_domain(UserPoolId=other, Domain="my-app-login")
    assert idp.describe_user_pool_domain(Domain="my-app-login")["DomainDescription"]["UserPoolId"] == other


def test_delete_user_pool_domain__must_belong_to_the_pool(idp: Any, pool_id: str) -> None:
    other = _other_pool(idp)
    idp.create_user_pool_domain(UserPoolId=other, Domain="my-app-login")
    code, message = fails(idp.delete_user_pool_domain, UserPoolId=pool_id, Domain="my-app-login")
    assert code == "ResourceNotFoundException"
    assert "my-app-login" in message
    assert idp.describe_user_pool_domain(Domain="my-app-login")["DomainDescription"]["UserPoolId"] == other
    code, _ = fails(idp.delete_user_pool_domain, UserPoolId=pool_id, Domain="missing-login")
    assert code == "ResourceNotFoundException"
    code, _ = fails(idp.delete_user_pool_domain, UserPoolId="eu-west-1_nothere00", Domain="my-app-login")
    assert code == "ResourceNotFoundException"
