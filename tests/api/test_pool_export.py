"""Moving a pool between servers (docs/pool-export.md): `userpool export` of a pool with something of everything
(tests/support/rich_pool.py) on a SQLite server, `userpool import` into a server of other secrets on PostgreSQL,
and there: an export under the first file's salt (`--salt-of`) is byte-identical to it, and every field of the
file is set in some record; every user signs in as before (password, SRP, TOTP, a remembered device, a passkey,
both client secrets) or is refused as before (a lockout, a disabled account, a password that no longer signs
its user in, a passkey's stale counter); an authenticator associated before the move is verified after it; a
SAML Response used before it is refused as a replay after it, and a federated identity disabled before it stays
disabled; linked identities keep their issuer; tokens of the old server verify against the same keys, and
every Describe/List answers as before. The file's refusals (wrong key, an altered byte, a sealed value moved to
another record, a file cut short, an unknown version, a pool that exists) write nothing; a domain another pool
holds is reported; `--salt-of` a file the key does not open is refused.
"""

from __future__ import annotations

import difflib
import io
import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from tests.conftest import Server, make_settings, running_server
from tests.federation.saml_idps import SamlIdp, start_pysaml2_idp
from tests.oauth.conftest import MovableClock
from tests.support import postgres
from tests.support.auth import PASSWORD, payload
from tests.support.errors import fails
from tests.support.hosted import callback_params
from tests.support.rich_pool import (
    ANN_PASSWORD,
    CALLBACK,
    DOMAIN,
    NEW_PASSWORD,
    TEMPORARY_PASSWORD,
    RichPool,
    build,
    device_srp,
    passkey_sign_in,
)
from tests.support.rich_pool import password_sign_in as sign_in
from userpool.cli import main
from userpool.config import FederationSettings, Settings
from userpool.crypto import export_keys
from userpool.model.saml_service_provider import sp_entity_id
from userpool.store.sql.pool_transfer.file_format import Reader
from userpool.store.sql.pool_transfer.parts import NOT_CARRIED, PART_BY_KIND, PARTS, SERVER_TABLES
from userpool.store.sql.pool_transfer.records import opened
from userpool.store.sql.tables import metadata

pytestmark = pytest.mark.xdist_group("pool_export")

PASSPHRASE = "a passphrase to move pools with"


def cli(settings: Settings, *args: str, passphrase: str = PASSPHRASE) -> Result:
    env = {"USERPOOL_SECRET_KEYS": ",".join(settings.secret_keys), "USERPOOL_EXPORT_PASSPHRASE": passphrase}
    where = ["--data-dir", str(settings.data_dir), "--database-url", settings.database_url]
    return CliRunner().invoke(main, [*args, *where], env=env)


def _answers(idp: Any, pool_id: str) -> dict[str, Any]:
    """What the API says of the pool, everything of it an operator or application sees."""

    def clean(answer: Any) -> Any:
        return {k: v for k, v in answer.items() if k != "ResponseMetadata"}

    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    clients = [c["ClientId"] for c in idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]]
    providers = [p["ProviderName"] for p in idp.list_identity_providers(UserPoolId=pool_id)["Providers"]]
    users = [u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]]
    return {
        "pool": pool,
        "tags": clean(idp.list_tags_for_resource(ResourceArn=pool["Arn"])),
        "mfa": clean(idp.get_user_pool_mfa_config(UserPoolId=pool_id)),
        "log delivery": clean(idp.get_log_delivery_configuration(UserPoolId=pool_id)),
        "clients": [idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=c)["UserPoolClient"] for c in clients],
        "client secrets": [clean(idp.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=c)) for c in clients],
        "client risk": [clean(idp.describe_risk_configuration(UserPoolId=pool_id, ClientId=c)) for c in clients],
        "risk": clean(idp.describe_risk_configuration(UserPoolId=pool_id)),
        "ui": clean(idp.get_ui_customization(UserPoolId=pool_id)),
        "domain": idp.describe_user_pool_domain(Domain=DOMAIN)["DomainDescription"],
        "resource servers": clean(idp.list_resource_servers(UserPoolId=pool_id, MaxResults=50)),
        "providers": [
            idp.describe_identity_provider(UserPoolId=pool_id, ProviderName=p)["IdentityProvider"] for p in providers
        ],
        "saml certificate": clean(idp.get_signing_certificate(UserPoolId=pool_id)),
        "groups": clean(idp.list_groups(UserPoolId=pool_id)),
        "users": {
            u: {
                "user": clean(idp.admin_get_user(UserPoolId=pool_id, Username=u)),
                "groups": clean(idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=u)),
                "devices": clean(idp.admin_list_devices(UserPoolId=pool_id, Username=u)),
                "factors": clean(idp.admin_get_user_auth_factors(UserPoolId=pool_id, Username=u)),
            }
            for u in users
        },
    }


@dataclass(frozen=True)
class Moved:
    rich: RichPool
    source: Server
    target: Server
    first: Path  # the source's export
    second: Path  # the target's export of the imported pool with --salt-of first, before anyone signed in there
    imported: str  # what `userpool import` said
    answers: tuple[dict[str, Any], dict[str, Any]]  # _answers of source and target right after the move
    sso: SamlIdp  # alice's identity provider


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moved]:
    folder = tmp_path_factory.mktemp("pool-export")
    with ExitStack() as stack:
        # The test's own cost of scrypt, which the files name (a reader takes the cost from the file).
        patch = stack.enter_context(pytest.MonkeyPatch.context())
        patch.setattr(export_keys, "DEFAULT_COST", export_keys.ScryptCost(n=2**10, r=8, p=1))
        try:
            database_url = stack.enter_context(postgres.scratch_database(stack.enter_context(postgres.server_url())))
        except (RuntimeError, sa.exc.OperationalError) as exc:
            pytest.skip(f"PostgreSQL is not available for the tests: {exc}")
        sqlite = f"sqlite:///{folder / 'source.sqlite3'}"
        # The source discovers an OIDC provider's endpoints from an issuer on loopback, and takes SAML metadata
        # whose endpoints are on loopback.
        federation = FederationSettings(allow_http_idp_urls=True)
        source_settings = make_settings(folder / "source", sqlite, secret_keys=("source",), federation=federation)
        clock = MovableClock()
        source = stack.enter_context(running_server(source_settings, clock))
        (folder / "idp-logs").mkdir()
        sso = stack.enter_context(start_pysaml2_idp(folder / "idp-logs"))
        rich = build(source, clock, sso)
        first, second = folder / "first.export", folder / "second.export"
        exported = cli(source.settings, "export", rich.pool_id, str(first))
        assert exported.exit_code == 0, exported.output
        target_settings = make_settings(folder / "target", database_url, secret_keys=("target",))
        imported = cli(target_settings, "import", str(first))
        assert imported.exit_code == 0, imported.output
        # Exported again once the new server runs and has answered every Describe and List: neither its start nor
        # reading the pool changes anything a file carries.
        target = stack.enter_context(running_server(target_settings))
        answers = (_answers(source.client(), rich.pool_id), _answers(target.client(), rich.pool_id))
        again = cli(target_settings, "export", "--salt-of", str(first), rich.pool_id, str(second))
        assert again.exit_code == 0, again.output
        yield Moved(rich, source, target, first, second, imported.output, answers, sso)


def _decoded(path: Path) -> list[str]:
    """The file's lines with their sealed values opened beside them, for a readable diff."""
    with path.open("rb") as source:
        reader = Reader(source)
        key = reader.unlock(PASSPHRASE.encode())
        lines = [json.dumps(reader.header)]
        for number, record in reader.records():
            plain = opened(PART_BY_KIND[record["kind"]], record, key, number)
            lines.append(json.dumps({**record, **{f"{k} (opened)": v for k, v in plain.items()}}))
        return lines


def test_export__of_the_imported_pool_with_the_salt_of_the_first_is_byte_identical(moved: Moved) -> None:
    first, second = moved.first.read_bytes(), moved.second.read_bytes()
    if second != first:
        diff = difflib.unified_diff(_decoded(moved.first), _decoded(moved.second), "first", "second", lineterm="")
        pytest.fail("the export of the imported pool differs from the first:\n" + "\n".join(diff), pytrace=False)
    kinds = {json.loads(line)["kind"] for line in first.splitlines()}
    assert kinds == {"header", *(p.kind for p in PARTS), "end"}
    # Every field of every kind is set in some record, so that the comparison covers the trip of each.
    records = _records(moved.first)[1:-1]
    unset = {
        f"{part.kind}.{name}"
        for part in PARTS
        if part.kind in kinds
        for name in part.fields
        if all(record[name] in (None, "", [], {}) for record in records if record["kind"] == part.kind)
    }
    assert unset == set()
    # Nothing sealed is in clear in the file.
    text = first.decode()
    for secret in (moved.rich.web["ClientSecret"], moved.rich.second_secret, moved.rich.totp.secret, "google-secret"):
        assert secret not in text
    assert "$argon2id$" not in text and "BEGIN PRIVATE KEY" not in text


def test_export__under_a_fresh_salt_shares_no_sealed_value_with_the_first(moved: Moved, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.export"
    outcome = cli(moved.source.settings, "export", moved.rich.pool_id, str(fresh))
    assert outcome.exit_code == 0, outcome.output
    first, again = _records(moved.first), _records(fresh)
    assert [_clear(r) for r in again] == [_clear(r) for r in first]
    assert again[0]["kdf"]["salt"] != first[0]["kdf"]["salt"]
    sealed = [(a[k], b[k]) for a, b in zip(first, again, strict=True) for k in _sealed_fields(a) if a[k] is not None]
    assert len(sealed) > 20 and all(x != y for x, y in sealed)


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def _sealed_fields(record: dict[str, Any]) -> list[str]:
    part = PART_BY_KIND.get(record["kind"])
    return [s.field for s in part.sealed] if part else []


def _clear(record: dict[str, Any]) -> dict[str, Any]:
    """A line without what depends on the file's key: its MAC, sealed values, the header's salt and key check."""
    changing = {"mac", "kdf", "key_check", *_sealed_fields(record)}
    return {k: v for k, v in record.items() if k not in changing}


@pytest.mark.parametrize("case", ["wrong passphrase", "not an export"])
def test_export__salt_of_a_file_the_key_does_not_open_is_refused(moved: Moved, tmp_path: Path, case: str) -> None:
    earlier, passphrase = moved.first, PASSPHRASE
    expected = "the key does not open this file: another passphrase or key file was used to export it"
    if case == "wrong passphrase":
        passphrase = "not the passphrase it was made with"
    else:
        earlier = tmp_path / "notes.txt"
        earlier.write_text("a file of notes\n")
        expected = "this is not a userpool pool export"
    out = tmp_path / "new.export"

    outcome = cli(
        moved.source.settings, "export", "--salt-of", str(earlier), moved.rich.pool_id, str(out), passphrase=passphrase
    )
    assert outcome.exit_code == 1
    assert outcome.output == f"Error: {earlier} (--salt-of): {expected}; nothing was written\n"
    assert list(tmp_path.iterdir()) == ([earlier] if case == "not an export" else [])


def test_import__users_sign_in_on_the_new_server_as_before(moved: Moved) -> None:
    idp, rich = moved.target.client(), moved.rich
    pool_id, mobile = rich.pool_id, rich.mobile["ClientId"]

    # ann: her password, then her TOTP (the code of the next step: her last accepted step came along).
    step = sign_in(idp, rich.mobile, "ann", ANN_PASSWORD)
    assert step["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    code = rich.totp.at(time.time() + 30)
    done = idp.respond_to_auth_challenge(
        ClientId=mobile,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "ann", "SOFTWARE_TOKEN_MFA_CODE": code},
    )["AuthenticationResult"]
    claims = payload(done["IdToken"])
    assert claims["sub"] == rich.subs["ann"] and claims["cognito:groups"] == ["admins", "staff"]
    assert (claims["email"], claims["custom:tier"]) == ("ann@example.com", "gold")
    # Her SRP verifier: the password verifier step passes, to her MFA.
    srp = device_srp(idp, pool_id, rich.mobile, "ann", password=ANN_PASSWORD)
    params = srp.get_auth_params()
    started = idp.initiate_auth(ClientId=mobile, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    proof = srp.process_challenge(started["ChallengeParameters"], params)
    verified = idp.respond_to_auth_challenge(
        ClientId=mobile, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=proof
    )
    assert verified["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    # Her alias signs her in, and her password history came along.
    assert sign_in(idp, rich.mobile, "annie", ANN_PASSWORD)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    for earlier in (PASSWORD, NEW_PASSWORD):
        assert fails(lambda p=earlier: sign_in(idp, rich.mobile, "ann", p))[0] == "NotAuthorizedException"
    refused = fails(
        idp.change_password,
        AccessToken=done["AccessToken"],
        PreviousPassword=ANN_PASSWORD,
        ProposedPassword=NEW_PASSWORD,
    )
    assert refused[0] == "PasswordHistoryPolicyViolationException"

    # dave: his remembered device signs in by device SRP, without a new device; the authenticator he associated
    # and had not verified yet is verified now, by a code of its secret.
    tokens = device_srp(idp, pool_id, rich.mobile, "dave", rich.device).authenticate_user()["AuthenticationResult"]
    assert payload(tokens["AccessToken"])["device_key"] == rich.device.key and "NewDeviceMetadata" not in tokens
    assert payload(tokens["AccessToken"])["sub"] == rich.subs["dave"]
    verified = idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=rich.pending_totp.now())
    assert verified["Status"] == "SUCCESS"

    # erin: her passkey, whose signature counter came along (a count it reported on the old server, as a
    # cloned authenticator would send, is refused), and the web client's two secrets.
    stale = fails(lambda: passkey_sign_in(idp, rich.mobile, "erin", rich.passkey, count=rich.passkey.sign_count))
    assert stale == ("NotAuthorizedException", "Incorrect passkey credential.")
    done = passkey_sign_in(idp, rich.mobile, "erin", rich.passkey)
    assert payload(done["AccessToken"])["sub"] == rich.subs["erin"]
    for secret in (rich.web["ClientSecret"], rich.second_secret):
        assert "AccessToken" in sign_in(idp, rich.web, "erin", secret=secret)["AuthenticationResult"]

    # bob still has to choose a password; carol is still disabled.
    assert sign_in(idp, rich.mobile, "bob", TEMPORARY_PASSWORD)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert fails(lambda: sign_in(idp, rich.mobile, "carol")) == ("NotAuthorizedException", "User is disabled.")
    # fred's lockout came along: his own password is refused until it ends.
    locked = fails(lambda: sign_in(idp, rich.mobile, "fred"))
    assert locked == ("NotAuthorizedException", "Password attempts exceeded")
    # gus's password no longer signs him in.
    assert fails(lambda: sign_in(idp, rich.mobile, "gus")) == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )


def test_import__tokens_of_the_old_server_verify_with_the_same_keys(moved: Moved) -> None:
    rich, pool_id = moved.rich, moved.rich.pool_id
    jwks = moved.target.test_client.get(f"/{pool_id}/.well-known/jwks.json").json()
    assert jwks == moved.source.test_client.get(f"/{pool_id}/.well-known/jwks.json").json()
    keys = {k["kid"]: pyjwt.PyJWK(k) for k in jwks["keys"]}
    for tokens in (rich.tokens_before_rotation, rich.tokens_after_rotation):
        for token in (tokens["IdToken"], tokens["AccessToken"]):
            key = keys[pyjwt.get_unverified_header(token)["kid"]]
            claims = pyjwt.decode(token, key, algorithms=["RS256"], options={"verify_aud": False})
            assert claims["sub"] == rich.subs["erin"]
    # New tokens are signed with the key that was current.
    idp = moved.target.client()
    fresh = sign_in(idp, rich.web, "erin")["AuthenticationResult"]["AccessToken"]
    assert (
        pyjwt.get_unverified_header(fresh)["kid"]
        == pyjwt.get_unverified_header(rich.tokens_after_rotation["AccessToken"])["kid"]
    )
    # Sign-in sessions are not carried: the server's own operations take a new sign-in's tokens.
    stale = rich.tokens_after_rotation["AccessToken"]
    assert fails(idp.get_user, AccessToken=stale) == ("NotAuthorizedException", "Access Token has been revoked")


def test_import__the_pool_answers_as_before(moved: Moved) -> None:
    source, target = moved.answers
    assert target == source
    assert source["domain"]["UserPoolId"] == moved.rich.pool_id and len(source["users"]) == 8
    assert f"imported pool {moved.rich.pool_id}" in moved.imported and "user 8" in moved.imported


def test_import__a_saml_assertion_used_before_the_move_is_refused_after_it(moved: Moved) -> None:
    # alice's Response posted again while it is valid: the new server knows its assertion was used (the
    # assertions kept against replay came along) and does not sign her in with it a second time.
    replayed = moved.target.test_client.post("/saml2/idpresponse", data=moved.rich.sso_response, follow_redirects=False)
    assert callback_params(replayed, CALLBACK) == {
        "error": "invalid_request",
        "error_description": "Invalid SAML response received: the assertion was used already.",
    }


def test_import__a_disabled_federated_identity_stays_disabled(moved: Moved) -> None:
    # A new Response of alice's identity provider: her identity, disabled before the move, does not sign her in.
    fresh = moved.sso.idp_initiated(sp_entity_id(moved.rich.pool_id), moved.rich.sso_response["RelayState"])
    answer = moved.target.test_client.post(fresh.action, data=dict(fresh.fields), follow_redirects=False)
    assert callback_params(answer, CALLBACK) == {"error": "invalid_request", "error_description": "User is disabled."}


def _identities(user: dict[str, Any]) -> list[dict[str, Any]]:
    """The linked identities an AdminGetUser answer lists in the ``identities`` attribute."""
    value = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "identities")
    return list(json.loads(value))


def test_import__linked_identities_keep_their_provider_and_issuer(moved: Moved) -> None:
    idp, pool_id = moved.target.client(), moved.rich.pool_id
    before = _identities(moved.answers[0]["users"]["carol"]["user"])
    # Unlinking her Google identity lists carol's identities again from those the new server holds: her SAML
    # identity is listed as the old server listed it, its provider's entity ID as its issuer.
    idp.admin_disable_provider_for_user(
        UserPoolId=pool_id,
        User={"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "g-1"},
    )
    after = _identities(idp.admin_get_user(UserPoolId=pool_id, Username="carol"))
    assert after == [i for i in before if i["providerName"] == "Corp"]
    assert after[0]["issuer"] == "https://idp.example.com/metadata"


def test_pool_export__every_column_of_the_schema_is_decided() -> None:
    carried = {p.table.name for p in PARTS}
    assert carried.isdisjoint(NOT_CARRIED) and carried.isdisjoint(SERVER_TABLES)
    assert {t.name for t in metadata.sorted_tables} == carried | set(NOT_CARRIED) | SERVER_TABLES
    for part in PARTS:
        assert {*part.columns, *part.derived, part.scope} == set(part.table.columns.keys()), part.kind
        assert {s.column for s in part.sealed} <= set(part.columns)
        sealed_at_rest = {c for c in part.columns if c.endswith("_sealed")}
        assert sealed_at_rest <= {s.column for s in part.sealed}, part.kind


def _altered(data: bytes, field: str) -> tuple[bytes, int]:
    """The file with one byte of its last user line that has a ``field`` changed (the first character of the
    field's value, for another that the field could hold), and that line's number. A federated user has no
    password hash."""
    lines, member = data.splitlines(keepends=True), f'"{field}":"'.encode()
    number = max(i for i, line in enumerate(lines, start=1) if line.startswith(b'{"kind":"user",') and member in line)
    line = lines[number - 1]
    at = line.index(member) + len(member)
    lines[number - 1] = line[:at] + (b"B" if line[at : at + 1] == b"A" else b"A") + line[at + 1 :]
    return b"".join(lines), number


def _with_macs(lines: list[bytes], key: export_keys.ExportKey) -> bytes:
    """The lines with their MACs made again under the file's key (docs/pool-export.md, Format), as someone
    holding the passphrase could."""
    previous, written = b"", []
    for line in lines:
        body = line[: line.rindex(b',"mac":"')] + b"}"
        previous = key.line_mac(previous, body)
        written.append(body[:-1] + b',"mac":"' + export_keys.b64(previous).encode() + b'"}\n')
    return b"".join(written)


def _moved_value(data: bytes) -> tuple[bytes, int]:
    """The file with the sealed password hash of one user copied onto the next, every MAC made again so that the
    lines check out; the number of the line that received it."""
    key = Reader(io.BytesIO(data)).unlock(PASSPHRASE.encode())
    lines = data.splitlines(keepends=True)
    assert _with_macs(lines, key) == data  # the MACs are made as the export made them
    users = [(i, json.loads(line)) for i, line in enumerate(lines) if line.startswith(b'{"kind":"user",')]
    hashed = [(i, user["password_hash"]) for i, user in users if user["password_hash"]]
    (_, moved), (into, replaced) = hashed[:2]
    lines[into] = lines[into].replace(f'"password_hash":"{replaced}"'.encode(), f'"password_hash":"{moved}"'.encode())
    return _with_macs(lines, key), into + 1


def _other_version(data: bytes) -> bytes:
    header, rest = data.split(b"\n", 1)
    return header.replace(b'"version":1,', b'"version":2,') + b"\n" + rest


@pytest.mark.parametrize(
    "case",
    ["wrong key", "altered byte", "altered sealed byte", "moved value", "cut short", "unknown version", "pool exists"],
)
def test_import__refused_with_nothing_written(moved: Moved, tmp_path: Path, case: str) -> None:
    data, pool_id = moved.first.read_bytes(), moved.rich.pool_id
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'target.sqlite3'}", secret_keys=("other",))
    passphrase, expected = PASSPHRASE, ""
    if case == "wrong key":
        passphrase = "not the passphrase it was made with"
        expected = "the key does not open this file: another passphrase or key file was used to export it"
    elif case in ("altered byte", "altered sealed byte"):
        data, number = _altered(data, "username" if case == "altered byte" else "password_hash")
        expected = f"the file has been altered: line {number} does not match its MAC"
    elif case == "moved value":
        # Sealing is deterministic, but bound to its record: another user's value does not open on this one.
        data, number = _moved_value(data)
        expected = f"line {number}: the user record's password_hash does not open under the file's key"
    elif case == "cut short":
        data = b"".join(data.splitlines(keepends=True)[:-1])
        expected = "the file ends before its end record (was it cut short?)"
    elif case == "unknown version":
        data = _other_version(data)
        expected = "the file is of format version 2; this server reads version 1"
    else:
        settings = moved.target.settings
        expected = f"pool {pool_id} exists on this server already"
    path = tmp_path / "pool.export"
    path.write_bytes(data)

    outcome = cli(settings, "import", str(path), passphrase=passphrase)
    assert outcome.exit_code == 1
    assert outcome.output == f"Error: {path}: {expected}; nothing was imported\n"
    if case == "pool exists":
        # The pool of the server it was imported to before is as it was (sign-ins aside).
        now = _answers(moved.target.client(), pool_id)
        assert [now[k] for k in ("pool", "clients", "groups")] == [
            moved.answers[1][k] for k in ("pool", "clients", "groups")
        ]
    elif (tmp_path / "target.sqlite3").exists():
        engine = sa.create_engine(settings.database_url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM users")).scalar() == 0
            assert conn.execute(sa.text("SELECT count(*) FROM pools")).scalar() == 0
        engine.dispose()


def test_import__a_domain_another_pool_holds_is_reported_and_left_out(moved: Moved, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'target.sqlite3'}", secret_keys=("other",))
    with running_server(settings) as server:
        idp = server.client()
        holder = idp.create_user_pool(PoolName="holder")["UserPool"]["Id"]
        idp.create_user_pool_domain(UserPoolId=holder, Domain=DOMAIN)

        outcome = cli(settings, "import", str(moved.first))
        assert outcome.exit_code == 0, outcome.output
        assert (
            f"domain {DOMAIN} was not imported: pool {holder} of this server has it; give the pool another with "
            "CreateUserPoolDomain\n"
        ) in outcome.output
        pool = idp.describe_user_pool(UserPoolId=moved.rich.pool_id)["UserPool"]
        assert "Domain" not in pool and pool["EstimatedNumberOfUsers"] == 8
        assert idp.describe_user_pool_domain(Domain=DOMAIN)["DomainDescription"]["UserPoolId"] == holder
        assert "AuthenticationResult" in sign_in(idp, moved.rich.web, "erin")
