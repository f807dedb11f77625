"""SetUICustomization / GetUICustomization: CSS and logo of the hosted pages, per pool and per client."""

from __future__ import annotations

import struct
import zlib
from typing import Any

from tests.support.pools import error_of

CSS = ".submitButton-customizable { background-color: #0f766e; }"


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
