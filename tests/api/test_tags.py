"""Tagging through boto3: TagResource, UntagResource, ListTagsForResource on a user pool ARN."""

from __future__ import annotations

from typing import Any

from tests.support.pools import error_of


def pool_arn(pool_id: str) -> str:
    return f"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/{pool_id}"


def test_tag_resource__tags_show_in_list_and_describe(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="tagged", UserPoolTags={"team": "identity"})["UserPool"]["Id"]
    arn = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    assert arn == pool_arn(pool_id)
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "identity"}
    idp.tag_resource(ResourceArn=arn, Tags={"team": "platform", "env": "test", "empty": ""})
    expected = {"team": "platform", "env": "test", "empty": ""}
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == expected
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["UserPoolTags"] == expected


def test_untag_resource__removes_only_the_named_keys(idp: Any, pool_id: str) -> None:
    arn = pool_arn(pool_id)
    idp.tag_resource(ResourceArn=arn, Tags={"a": "1", "b": "2", "c": "3"})
    idp.untag_resource(ResourceArn=arn, TagKeys=["a", "c", "never-set"])
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"b": "2"}
    idp.untag_resource(ResourceArn=arn, TagKeys=["b"])
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {}
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["UserPoolTags"] == {}


def test_tag_resource__unknown_or_malformed_arn(idp: Any, pool_id: str) -> None:
    not_found = [
        (pool_arn("eu-west-1_missing00"), "User pool eu-west-1_missing00 does not exist."),
        # The right pool id under another account or region is not this server's pool.
        (f"arn:aws:cognito-idp:eu-west-1:999999999999:userpool/{pool_id}", f"User pool {pool_id} does not exist."),
        (f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool_id}", f"User pool {pool_id} does not exist."),
    ]
    malformed = [
        "arn:aws:sns:eu-west-1:123456789012:topic-name",
        f"arn:aws:cognito-idp:eu-west-1:123456789012:userpoolclient/{pool_id}",
    ]
    for arn, message in not_found:
        for call in (
            lambda a=arn: idp.tag_resource(ResourceArn=a, Tags={"k": "v"}),
            lambda a=arn: idp.untag_resource(ResourceArn=a, TagKeys=["k"]),
            lambda a=arn: idp.list_tags_for_resource(ResourceArn=a),
        ):
            assert error_of(call) == ("ResourceNotFoundException", message)
    for arn in malformed:
        code, message = error_of(lambda a=arn: idp.list_tags_for_resource(ResourceArn=a))
        assert code == "InvalidParameterException" and message == f"Invalid ARN: {arn} is not the ARN of a user pool."
    code, message = error_of(
        lambda: idp.tag_resource(ResourceArn="arn:aws:cognito-idp:eu-west-1:acct:userpool/x", Tags={"k": "v"})
    )
    assert code == "InvalidParameterException" and "at 'resourceArn' failed to satisfy constraint" in message
    assert idp.list_tags_for_resource(ResourceArn=pool_arn(pool_id))["Tags"] == {}


def test_tag_resource__limits_and_reserved_keys(idp: Any, pool_id: str) -> None:
    arn = pool_arn(pool_id)
    idp.tag_resource(ResourceArn=arn, Tags={f"k{i}": "v" for i in range(49)})
    assert error_of(lambda: idp.tag_resource(ResourceArn=arn, Tags={"x": "1", "y": "2"})) == (
        "InvalidParameterException",
        "A user pool can have at most 50 tags; this would make 51.",
    )
    idp.tag_resource(ResourceArn=arn, Tags={"k0": "overwritten", "x": "1"})
    tags = idp.list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert len(tags) == 50 and tags["k0"] == "overwritten"
    assert error_of(lambda: idp.tag_resource(ResourceArn=arn, Tags={"aws:owner": "me"})) == (
        "InvalidParameterException",
        "Tag keys starting with 'aws:' are reserved: aws:owner",
    )
