"""AWS credentials for identities: GetCredentialsForIdentity (the enhanced flow) and the basic flow's
GetOpenIdToken then AssumeRoleWithWebIdentity, through boto3 on a real socket, with moto's IAM, STS and S3 behind an
STS front that checks what AWS STS checks (tests/support/aws_sts.py): the identity pool's issuer registered as an
IAM OIDC provider, roles that trust it for the pool (``aud``) and for authenticated or guest identities (``amr``),
and what each role's credentials may then do in S3 with IAM enforced; Amplify v6's fetchAuthSession
(tests/node/amplify_identity.mjs) against the same."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.api import test_node_sdks as sdks
from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings
from tests.support.auth import PASSWORD, make_client, make_user, served_at_public_url, sign_in
from tests.support.aws_sts import Moto, TrustingSts, moto_server, trusting_sts
from tests.support.bridge import REGION, socket_client
from tests.support.pools import error_of
from userpool.config import IdentityPoolSettings

pytestmark = [pytest.mark.xdist_group("identity_credentials"), pytest.mark.socket]

BUCKET = "identity-pool-test"
ROOT = sdks.ROOT
node = sdks.node
DEVELOPER = "login.example.app"


@dataclass
class Aws:
    moto: Moto
    front: TrustingSts
    url: str
    idp: Any
    cid: Any
    user_pool_id: str
    client: dict[str, Any]
    provider: str
    pool_id: str
    roles: dict[str, str]
    sts_url: str

    def id_token(self, username: str) -> str:
        return str(sign_in(self.idp, self.client, username)["IdToken"])

    def s3(self, credentials: dict[str, Any]) -> Any:
        return self.moto.client(
            "s3",
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretKey"],
            aws_session_token=credentials["SessionToken"],
        )

    def set_roles(self, mappings: dict[str, Any] | None = None, **roles: str) -> None:
        self.cid.set_identity_pool_roles(
            IdentityPoolId=self.pool_id,
            Roles=roles or {"authenticated": self.roles["auth"], "unauthenticated": self.roles["guest"]},
            RoleMappings=mappings or {},
        )


def _trust(provider_arn: str, issuer_host_path: str, pool_id: str, amr: str) -> dict[str, Any]:
    """A trust policy as the Cognito guide writes it ('Role trust and permissions'), for this issuer."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{issuer_host_path}:aud": pool_id},
                    "ForAnyValue:StringLike": {f"{issuer_host_path}:amr": amr},
                },
            }
        ],
    }


def _s3_policy(*actions: str, prefix: str = "*") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": f"arn:aws:s3:::{BUCKET}/{prefix}"}],
    }


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Aws]:
    folder = tmp_path_factory.mktemp("identity-credentials")
    with moto_server() as moto, trusting_sts(moto) as (sts_url, front):
        settings = make_settings(
            folder / "data",
            f"sqlite:///{folder / 'userpool.sqlite3'}",
            identity_pools=IdentityPoolSettings(sts_endpoint=sts_url),
        )
        with served_at_public_url(settings) as url:
            idp = socket_client(url, ACCESS_KEY, SECRET_KEY)
            cid = socket_client(url, ACCESS_KEY, SECRET_KEY, service="cognito-identity")
            user_pool_id = idp.create_user_pool(PoolName="users")["UserPool"]["Id"]
            client = make_client(idp, user_pool_id)
            for name in ("ann", "ben", "eve"):
                make_user(idp, user_pool_id, name)
            provider = f"cognito-idp.{REGION}.amazonaws.com/{user_pool_id}"
            pool_id = cid.create_identity_pool(
                IdentityPoolName="credentials",
                AllowUnauthenticatedIdentities=True,
                AllowClassicFlow=True,
                DeveloperProviderName=DEVELOPER,
                CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client["ClientId"]}],
            )["IdentityPoolId"]
            # The issuer as an IAM OIDC provider: its URL, the identity pool as its audience.
            issuer = f"{url}/identity"
            host_path = issuer.split("://", 1)[1]
            iam = moto.client("iam")
            provider_arn = iam.create_open_id_connect_provider(
                Url=issuer, ClientIDList=[pool_id], ThumbprintList=["a" * 40]
            )["OpenIDConnectProviderArn"]
            roles = {
                "auth": moto.role(
                    "identity-auth",
                    _trust(provider_arn, host_path, pool_id, "authenticated"),
                    _s3_policy("s3:GetObject", "s3:PutObject"),
                ),
                "guest": moto.role(
                    "identity-guest",
                    _trust(provider_arn, host_path, pool_id, "unauthenticated"),
                    _s3_policy("s3:GetObject"),
                ),
                "admin": moto.role(
                    "identity-admin",
                    _trust(provider_arn, host_path, pool_id, "authenticated"),
                    _s3_policy("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
                ),
                "editor": moto.role(
                    "identity-editor",
                    _trust(provider_arn, host_path, pool_id, "authenticated"),
                    _s3_policy("s3:PutObject", prefix="editors/*"),
                ),
                # Trusts only Facebook's users: none of this pool's.
                "facebook": moto.role(
                    "identity-facebook",
                    _trust(provider_arn, host_path, pool_id, "graph.facebook.com"),
                    _s3_policy("s3:GetObject"),
                ),
            }
            idp.create_group(UserPoolId=user_pool_id, GroupName="admins")
            idp.admin_add_user_to_group(UserPoolId=user_pool_id, Username="ben", GroupName="admins")
            idp.create_group(UserPoolId=user_pool_id, GroupName="editors", RoleArn=roles["editor"])
            idp.admin_add_user_to_group(UserPoolId=user_pool_id, Username="eve", GroupName="editors")
            s3 = moto.client("s3")
            s3.create_bucket(Bucket=BUCKET)
            s3.put_object(Bucket=BUCKET, Key="public/readme.txt", Body=b"hello")
            moto.enforce_iam()
            yield Aws(moto, front, url, idp, cid, user_pool_id, client, provider, pool_id, roles, sts_url)


def _credentials(aws: Aws, username: str | None, **extra: Any) -> dict[str, Any]:
    logins = {aws.provider: aws.id_token(username)} if username else {}
    identity_id = aws.cid.get_id(IdentityPoolId=aws.pool_id, Logins=logins)["IdentityId"]
    answer = aws.cid.get_credentials_for_identity(IdentityId=identity_id, Logins=logins, **extra)
    assert answer["IdentityId"] == identity_id
    return dict(answer["Credentials"])


def _denied(call: Any) -> bool:
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"] in ("AccessDenied", "403")


def test_get_credentials_for_identity__a_signed_in_user_writes_to_s3(aws: Aws) -> None:
    aws.set_roles()
    before = len(aws.front.requests)
    credentials = _credentials(aws, "ann")
    assert credentials["AccessKeyId"].startswith("ASIA") and credentials["SessionToken"]
    lifetime = credentials["Expiration"] - datetime.now(UTC)
    assert 3500 < lifetime.total_seconds() <= 3600
    sent = aws.front.requests[before:]
    assert [(r["RoleArn"], r["RoleSessionName"], r["DurationSeconds"]) for r in sent] == [
        (aws.roles["auth"], "CognitoIdentityCredentials", "3600")
    ]
    s3 = aws.s3(credentials)
    s3.put_object(Bucket=BUCKET, Key="ann/note.txt", Body=b"written with identity pool credentials")
    assert s3.get_object(Bucket=BUCKET, Key="ann/note.txt")["Body"].read() == b"written with identity pool credentials"
    # The authenticated role may not delete.
    assert _denied(lambda: s3.delete_object(Bucket=BUCKET, Key="ann/note.txt"))


def test_get_credentials_for_identity__a_guest_gets_the_unauthenticated_role(aws: Aws) -> None:
    aws.set_roles()
    s3 = aws.s3(_credentials(aws, None))
    assert s3.get_object(Bucket=BUCKET, Key="public/readme.txt")["Body"].read() == b"hello"
    assert _denied(lambda: s3.put_object(Bucket=BUCKET, Key="guest.txt", Body=b"x"))
    assert aws.front.requests[-1]["RoleArn"] == aws.roles["guest"]


def test_get_credentials_for_identity__rules_mapping_picks_a_role_from_a_group(aws: Aws) -> None:
    key = f"{aws.provider}:{aws.client['ClientId']}"
    rules = [{"Claim": "cognito:groups", "MatchType": "Contains", "Value": "admins", "RoleARN": aws.roles["admin"]}]
    mapping = {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole", "RulesConfiguration": {"Rules": rules}}
    aws.set_roles({key: mapping})
    admin = aws.s3(_credentials(aws, "ben"))
    assert aws.front.requests[-1]["RoleArn"] == aws.roles["admin"]
    admin.put_object(Bucket=BUCKET, Key="ben.txt", Body=b"x")
    admin.delete_object(Bucket=BUCKET, Key="ben.txt")
    # No rule matches Ann: the default authenticated role.
    ann = aws.s3(_credentials(aws, "ann"))
    assert aws.front.requests[-1]["RoleArn"] == aws.roles["auth"]
    assert _denied(lambda: ann.delete_object(Bucket=BUCKET, Key="public/readme.txt"))
    # With Deny, she gets none.
    aws.set_roles({key: {**mapping, "AmbiguousRoleResolution": "Deny"}})
    assert error_of(lambda: _credentials(aws, "ann")) == (
        "NotAuthorizedException",
        f"The ambiguous role mapping rules for: {key} denied this request.",
    )


def test_get_credentials_for_identity__token_mapping_takes_the_group_s_role(aws: Aws) -> None:
    key = f"{aws.provider}:{aws.client['ClientId']}"
    aws.set_roles({key: {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}})
    editor = aws.s3(_credentials(aws, "eve"))
    assert aws.front.requests[-1]["RoleArn"] == aws.roles["editor"]
    editor.put_object(Bucket=BUCKET, Key="editors/page.txt", Body=b"x")
    assert _denied(lambda: editor.put_object(Bucket=BUCKET, Key="elsewhere.txt", Body=b"x"))
    # CustomRoleArn must be one of the token's roles.
    assert _credentials(aws, "eve", CustomRoleArn=aws.roles["editor"])["AccessKeyId"]
    assert error_of(lambda: _credentials(aws, "eve", CustomRoleArn=aws.roles["admin"])) == (
        "NotAuthorizedException",
        f"The ambiguous role mapping rules for: {key} denied this request.",
    )
    # Ann's token names no role: the default authenticated role.
    _credentials(aws, "ann")
    assert aws.front.requests[-1]["RoleArn"] == aws.roles["auth"]


def test_get_credentials_for_identity__roles_sts_refuses_or_none(aws: Aws) -> None:
    invalid = (
        "InvalidIdentityPoolConfigurationException",
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
    )
    aws.set_roles(authenticated=aws.roles["facebook"])
    assert error_of(lambda: _credentials(aws, "ann")) == invalid
    assert aws.front.requests[-1]["RoleArn"] == aws.roles["facebook"]
    # A guest role that trusts authenticated identities only is refused to a guest.
    aws.set_roles(unauthenticated=aws.roles["auth"])
    assert error_of(lambda: _credentials(aws, None)) == invalid
    # No role at all for guests: nothing is asked of STS.
    before = len(aws.front.requests)
    aws.set_roles(authenticated=aws.roles["auth"])
    assert error_of(lambda: _credentials(aws, None)) == invalid
    assert len(aws.front.requests) == before


def test_get_credentials_for_identity__developer_authenticated_token(aws: Aws) -> None:
    aws.set_roles()
    answer = aws.cid.get_open_id_token_for_developer_identity(
        IdentityPoolId=aws.pool_id, Logins={DEVELOPER: "dev-user-1"}
    )
    credentials = aws.cid.get_credentials_for_identity(
        IdentityId=answer["IdentityId"], Logins={"cognito-identity.amazonaws.com": answer["Token"]}
    )
    assert credentials["IdentityId"] == answer["IdentityId"]
    # The developer's token went to STS as it was.
    assert aws.front.requests[-1]["WebIdentityToken"] == answer["Token"]
    assert aws.front.requests[-1]["RoleArn"] == aws.roles["auth"]
    aws.s3(dict(credentials["Credentials"])).put_object(Bucket=BUCKET, Key="dev.txt", Body=b"x")
    other = aws.cid.get_id(IdentityPoolId=aws.pool_id)["IdentityId"]
    assert error_of(
        lambda: aws.cid.get_credentials_for_identity(
            IdentityId=other, Logins={"cognito-identity.amazonaws.com": answer["Token"]}
        )
    ) == ("NotAuthorizedException", "Invalid login token. Issuer doesn't match providerName")


def test_get_open_id_token__the_basic_flow_assumes_the_role_itself(aws: Aws) -> None:
    logins = {aws.provider: aws.id_token("ann")}
    identity_id = aws.cid.get_id(IdentityPoolId=aws.pool_id, Logins=logins)["IdentityId"]
    token = aws.cid.get_open_id_token(IdentityId=identity_id, Logins=logins)["Token"]
    sts = boto3.client(
        "sts",
        endpoint_url=aws.sts_url,
        region_name=REGION,
        config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}),
    )
    # Any role whose trust policy admits the token: in the basic flow the caller chooses (here the admin role).
    found = sts.assume_role_with_web_identity(
        RoleArn=aws.roles["admin"], RoleSessionName="basic-flow", WebIdentityToken=token
    )["Credentials"]
    s3 = aws.s3(
        {
            "AccessKeyId": found["AccessKeyId"],
            "SecretKey": found["SecretAccessKey"],
            "SessionToken": found["SessionToken"],
        }
    )
    s3.put_object(Bucket=BUCKET, Key="basic.txt", Body=b"x")
    s3.delete_object(Bucket=BUCKET, Key="basic.txt")
    with pytest.raises(ClientError) as refused:
        sts.assume_role_with_web_identity(
            RoleArn=aws.roles["guest"], RoleSessionName="basic-flow", WebIdentityToken=token
        )
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_fetch_auth_session__amplify_gets_an_identity_and_credentials(aws: Aws, node: str) -> None:
    """Amplify v6's fetchAuthSession with the server as its identity pool endpoint: a guest's identity and
    credentials, then, signed in, credentials for the same identity, which its login (the ID token under the
    provider name Amplify makes of its issuer) now belongs to, from moto's STS through the front."""
    aws.set_roles()
    make_user(aws.idp, aws.user_pool_id, "amy")
    request = {
        "endpoint": aws.url + "/",
        "userPoolId": aws.user_pool_id,
        "clientId": aws.client["ClientId"],
        "identityPoolId": aws.pool_id,
        "username": "amy",
        "password": PASSWORD,
    }
    done = subprocess.run(
        [node, str(ROOT / "tests" / "node" / "amplify_identity.mjs")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0 and lines, f"{done.stdout}\n{done.stderr}"
    answer = json.loads(lines[-1])
    assert answer["ok"], answer
    issuer_name = f"{aws.url.split('://', 1)[1]}/{aws.user_pool_id}"
    # Amplify keeps the guest's identity id and asks credentials for it with the user's login.
    assert answer["calls"] == [
        {"operation": "GetId", "logins": []},
        {"operation": "GetCredentialsForIdentity", "logins": []},
        {"operation": "GetCredentialsForIdentity", "logins": [issuer_name]},
    ]
    guest, user = answer["guest"], answer["user"]
    assert guest["identityId"].startswith(f"{REGION}:") and user["identityId"] == guest["identityId"]
    assert aws.cid.describe_identity(IdentityId=user["identityId"])["Logins"] == [aws.provider]
    # The same identity as boto3 reaches with the provider's AWS name.
    logins = {aws.provider: aws.id_token("amy")}
    assert aws.cid.get_id(IdentityPoolId=aws.pool_id, Logins=logins)["IdentityId"] == user["identityId"]
    for found, allowed in ((guest, False), (user, True)):
        credentials = found["credentials"]
        s3 = aws.s3(
            {
                "AccessKeyId": credentials["accessKeyId"],
                "SecretKey": credentials["secretAccessKey"],
                "SessionToken": credentials["sessionToken"],
            }
        )
        assert s3.get_object(Bucket=BUCKET, Key="public/readme.txt")["Body"].read() == b"hello"
        if allowed:
            s3.put_object(Bucket=BUCKET, Key="amplify.txt", Body=b"x")
        else:
            assert _denied(lambda s=s3: s.put_object(Bucket=BUCKET, Key="amplify.txt", Body=b"x"))
