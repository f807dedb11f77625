"""SetUICustomization / GetUICustomization: CSS and logo of the hosted pages, per pool and per client."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ReadTimeoutError

from tests.conftest import ACCESS_KEY, SECRET_KEY
from tests.support.bridge import REGION
from tests.support.pools import error_of
from tests.support.processes import serving

CSS = ".submitButton-customizable { background-color: #0f766e; }"
# The longest CSS the model allows (CSSType: max 131072).
MAX_CSS = 131_072
# Far longer than a check linear in the CSS's length needs; a check that backtracks needs years.
ANSWER_DEADLINE_SECONDS = 20


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = zlib.compress(b"\x00\x00\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")


def test_set_ui_customization__pool_then_client_overrides(idp: Any, pool_id: str) -> None:
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]["ClientId"]
    empty = idp.get_ui_customization(UserPoolId=pool_id)["UICustomization"]
    assert empty == {"UserPoolId": pool_id, "ClientId": "ALL"}

    pool_level = idp.set_ui_customization(UserPoolId=pool_id, CSS=CSS, ImageFile=_png())["UICustomization"]
    assert pool_level["ClientId"] == "ALL" and pool_level["CSS"] == CSS
    assert "/ui/logo?" in pool_level["ImageUrl"] and pool_level["CSSVersion"]
    inherited = idp.get_ui_customization(UserPoolId=pool_id, ClientId=client_id)["UICustomization"]
    assert inherited["ClientId"] == "ALL" and inherited["CSS"] == CSS

    own_css = ".banner-customizable { padding: 4px; }"
    idp.set_ui_customization(UserPoolId=pool_id, ClientId=client_id, CSS=own_css)
    own = idp.get_ui_customization(UserPoolId=pool_id, ClientId=client_id)["UICustomization"]
    assert own["ClientId"] == client_id and own["CSS"] == own_css and "ImageUrl" not in own
    assert idp.get_ui_customization(UserPoolId=pool_id)["UICustomization"]["CSS"] == CSS


def test_set_ui_customization__refuses_unsafe_css_bad_images_and_unknown_clients(idp: Any, pool_id: str) -> None:
    for css in (
        ".submitButton-customizable { background: url(https://evil.example/x.png); }",
        "@import 'https://evil.example/x.css';",
        "body { color: red; }",
        ".submitButton-customizable { color: red } </style><script>",
        ".logo-customizable { width: expression(alert(1)); }",
    ):
        code, _ = error_of(lambda css=css: idp.set_ui_customization(UserPoolId=pool_id, CSS=css))
        assert code == "InvalidParameterException", css
    code, _ = error_of(lambda: idp.set_ui_customization(UserPoolId=pool_id, ImageFile=b"GIF89a"))
    assert code == "InvalidParameterException"
    code, _ = error_of(lambda: idp.set_ui_customization(UserPoolId=pool_id, ClientId="nosuchclient", CSS=CSS))
    assert code == "ResourceNotFoundException"
    code, _ = error_of(lambda: idp.get_ui_customization(UserPoolId="eu-west-1_Nope1234"))
    assert code == "ResourceNotFoundException"


@pytest.mark.socket
def test_set_ui_customization__css_of_the_full_length_is_answered_at_once(tmp_path: Path) -> None:
    # Inputs that made the CSS check backtrack: white space inside a declaration's value that is then
    # refused (cubic in its length), and a value with white space after its last word (quadratic). The
    # server runs in its own process: a worker stuck in the check must fail the test, not hang it.
    prefix = ".logo-customizable { color:"
    pathological = [
        prefix + " " * (MAX_CSS - len(prefix) - 2) + "!}",
        prefix + "a" + " " * (MAX_CSS - len(prefix) - 3) + "!}",
    ]
    rules = (CSS * (MAX_CSS // len(CSS)))[:MAX_CSS]
    rules = rules[: rules.rindex("}") + 1]
    with serving(tmp_path / "data", f"sqlite:///{tmp_path / 'userpool.sqlite3'}", workers=1) as served:
        idp = boto3.client(
            "cognito-idp",
            endpoint_url=served.url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(read_timeout=ANSWER_DEADLINE_SECONDS, retries={"total_max_attempts": 1}),
        )
        pool_id = idp.create_user_pool(PoolName="branding")["UserPool"]["Id"]
        for css in pathological:
            assert len(css) == MAX_CSS
            try:
                code, _ = error_of(lambda css=css: idp.set_ui_customization(UserPoolId=pool_id, CSS=css))
            except ReadTimeoutError:
                pytest.fail(f"SetUICustomization was not answered within {ANSWER_DEADLINE_SECONDS} s")
            assert code == "InvalidParameterException"
        # As many allowed rules as fit are allowed.
        stored = idp.set_ui_customization(UserPoolId=pool_id, CSS=rules)["UICustomization"]
        assert stored["CSS"] == rules


def test_set_ui_customization__the_largest_css_and_logo_allowed(idp: Any, pool_id: str) -> None:
    # CSSType allows 131,072 characters, and boto3 writes each beyond ASCII as a \u escape (two of them, 12
    # bytes, beyond the BMP); with a 100 KB logo in base64 the request is about 1.7 MB.
    prefix, suffix = ".label-customizable { font-family: ", "; }"
    css = prefix + "\U0001d504" * (131_072 - len(prefix) - len(suffix)) + suffix
    logo = _png().ljust(100 * 1024, b"\0")
    idp.set_ui_customization(UserPoolId=pool_id, CSS=css, ImageFile=logo)
    stored = idp.get_ui_customization(UserPoolId=pool_id)["UICustomization"]
    assert stored["CSS"] == css and "ImageUrl" in stored
