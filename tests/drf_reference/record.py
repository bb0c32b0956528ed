#!/usr/bin/env python3
"""Send every conformance case to a running DRF server over raw sockets and record the answers.

usage: record.py HOST PORT OUT.jsonl

Every request is written byte for byte by this script (no HTTP library), as:

    METHOD PATH HTTP/1.1\r\n
    Host: HOST:PORT\r\n
    <case headers, in order>\r\n
    Content-Type: <content_type>\r\n          (only when content_type is not null)
    Content-Length: <len(body)>\r\n           (only when body is not null; "" gives 0)
    Connection: close\r\n
    \r\n
    <body>

Placeholders: "<KEY>" in a header value or body is replaced at send time by the token key that
obtain_auth_token generated for bob (a user with no token), and the real key in any response is
written back as "<KEY>"; "<UNI_KEY>" does the same for the user ünï. Session/CSRF cases use
"<SESSIONID>" and "<CSRFSECRET>" (the 32-character secret from the csrftoken cookie) the same
way, and a cookie's expires= date is recorded as "<EXPIRES>". The format of the output is
described in tests/fixtures/DRF_RECORDING.md.
"""
import base64
import json
import re
import socket
import sys
import time

HOST = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 18765
OUT = sys.argv[3] if len(sys.argv) > 3 else "cases.jsonl"

ALICE_KEY = "0123456789abcdef0123456789abcdef01234567"
ADMIN_KEY = "fedcba9876543210fedcba9876543210fedcba98"
INACTIVE_KEY = "1111111111111111111111111111111111111111"
UNKNOWN_KEY = "abcdefabcdefabcdefabcdefabcdefabcdefabcd"

RECORDED_HEADERS = ["allow", "www-authenticate", "content-type", "retry-after", "vary", "location"]

PLACEHOLDERS = {}  # "<KEY>" -> real value, filled while recording


def b64(s, enc="utf-8"):
    if isinstance(s, str):
        s = s.encode(enc)
    return base64.b64encode(s).decode("ascii")


def basic(user, pw, enc="utf-8"):
    return "Basic " + b64(f"{user}:{pw}", enc)


BASIC_ALICE = basic("alice", "alicepw")
BASIC_ADMIN = basic("admin", "adminpw")
BASIC_BOB = basic("bob", "bobpw")
TOKEN_ALICE = "Token " + ALICE_KEY
TOKEN_ADMIN = "Token " + ADMIN_KEY
AUTH = "Authorization"

CASES = []
NAMES = set()


def case(name, method, path, headers=(), body=None, content_type=None, group=None, note=None):
    assert name not in NAMES, name
    assert re.fullmatch(r"[a-z0-9_]+", name), name
    NAMES.add(name)
    CASES.append(
        dict(name=name, method=method, path=path, headers=[list(h) for h in headers], body=body,
             content_type=content_type, group=group, note=note)
    )


def auth(value):
    return [(AUTH, value)]


# --------------------------------------------------------------------------------------------
# 1. Method matrix: every endpoint x methods, anonymous and with the endpoint's valid credentials
# --------------------------------------------------------------------------------------------
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "FOO", "get", "post"]
ENDPOINTS = [
    # path, slug, valid credentials (header value) or None, slug of those credentials
    ("/basic/", "basic", BASIC_ALICE, "basic_alice"),
    ("/token/", "token", TOKEN_ALICE, "token_alice"),
    ("/bearer/", "bearer", "Bearer " + ALICE_KEY, "bearer_alice"),
    ("/token-basic/", "token_basic", TOKEN_ALICE, "token_alice"),
    ("/basic-token/", "basic_token", BASIC_ALICE, "basic_alice"),
    ("/public/", "public", BASIC_ALICE, "basic_alice"),
    ("/default/", "default", BASIC_ALICE, "basic_alice"),
    ("/admin-only/", "admin_only", TOKEN_ADMIN, "token_admin"),
    ("/read-only/", "read_only", TOKEN_ALICE, "token_alice"),
    ("/composed/", "composed", TOKEN_ALICE, "token_alice"),
    ("/session/", "session", None, None),
    ("/api-token-auth/", "api_token_auth", None, None),
]
for path, slug, cred, cred_slug in ENDPOINTS:
    for m in METHODS:
        mslug = m.lower() if m.isupper() else "lower_" + m
        case(f"matrix_{slug}_{mslug}_anon", m, path, group="matrix")
        if cred:
            case(f"matrix_{slug}_{mslug}_{cred_slug}", m, path, auth(cred), group="matrix")
# admin-only / composed with the "other" user too
for m in ["GET", "POST", "HEAD", "OPTIONS"]:
    case(f"matrix_admin_only_{m.lower()}_token_alice", m, "/admin-only/", auth(TOKEN_ALICE), group="matrix")
    case(f"matrix_composed_{m.lower()}_token_admin", m, "/composed/", auth(TOKEN_ADMIN), group="matrix")
    case(f"matrix_read_only_{m.lower()}_basic_alice", m, "/read-only/", auth(BASIC_ALICE), group="matrix")
# obtain_auth_token with a valid JSON body, every method
for m in ["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "FOO"]:
    case(f"matrix_api_token_auth_{m.lower()}_json_body", m, "/api-token-auth/",
         body='{"username":"alice","password":"alicepw"}', content_type="application/json", group="matrix")

# --------------------------------------------------------------------------------------------
# 2. OPTIONS bodies
# --------------------------------------------------------------------------------------------
case("options_basic_alice", "OPTIONS", "/basic/", auth(BASIC_ALICE), group="options")
case("options_basic_anon", "OPTIONS", "/basic/", group="options")
case("options_public_anon", "OPTIONS", "/public/", group="options")
case("options_public_alice", "OPTIONS", "/public/", auth(BASIC_ALICE), group="options")
case("options_api_token_auth_anon", "OPTIONS", "/api-token-auth/", group="options")
case("options_api_token_auth_basic_alice", "OPTIONS", "/api-token-auth/", auth(BASIC_ALICE), group="options")
case("options_token_basic_token_alice", "OPTIONS", "/token-basic/", auth(TOKEN_ALICE), group="options")
case("options_bearer_alice", "OPTIONS", "/bearer/", auth("Bearer " + ALICE_KEY), group="options")
case("options_admin_only_admin", "OPTIONS", "/admin-only/", auth(TOKEN_ADMIN), group="options")
case("options_read_only_anon", "OPTIONS", "/read-only/", group="options")
case("options_default_anon", "OPTIONS", "/default/", group="options")
case("options_composed_alice", "OPTIONS", "/composed/", auth(TOKEN_ALICE), group="options")

# --------------------------------------------------------------------------------------------
# 3. Basic authentication (on /basic/ unless said otherwise)
# --------------------------------------------------------------------------------------------
G = "basic"
alice_b64 = b64("alice:alicepw")  # 20 chars, ends with "=="
case("basic_ok", "GET", "/basic/", auth(BASIC_ALICE), group=G)
case("basic_ok_post", "POST", "/basic/", auth(BASIC_ALICE), group=G)
case("basic_admin_ok", "GET", "/basic/", auth(BASIC_ADMIN), group=G)
case("basic_bob_ok", "GET", "/basic/", auth(BASIC_BOB), group=G)
case("basic_wrong_password", "GET", "/basic/", auth(basic("alice", "wrong")), group=G)
case("basic_wrong_password_case", "GET", "/basic/", auth(basic("alice", "ALICEPW")), group=G)
case("basic_username_case", "GET", "/basic/", auth(basic("ALICE", "alicepw")), group=G)
case("basic_inactive_right_password", "GET", "/basic/", auth(basic("inactive", "inactivepw")), group=G)
case("basic_inactive_wrong_password", "GET", "/basic/", auth(basic("inactive", "nope")), group=G)
case("basic_unknown_user", "GET", "/basic/", auth(basic("nobody", "alicepw")), group=G)
case("basic_empty_user_and_password", "GET", "/basic/", auth("Basic " + b64(":")), group=G)
case("basic_empty_password", "GET", "/basic/", auth(basic("alice", "")), group=G)
case("basic_empty_username", "GET", "/basic/", auth(basic("", "alicepw")), group=G)
case("basic_scheme_lowercase", "GET", "/basic/", auth("basic " + alice_b64), group=G)
case("basic_scheme_uppercase", "GET", "/basic/", auth("BASIC " + alice_b64), group=G)
case("basic_scheme_mixedcase", "GET", "/basic/", auth("bAsIc " + alice_b64), group=G)
case("basic_several_spaces", "GET", "/basic/", auth("Basic     " + alice_b64), group=G)
case("basic_tab_separator", "GET", "/basic/", auth("Basic\t" + alice_b64), group=G)
case("basic_space_and_tab_separator", "GET", "/basic/", auth("Basic \t " + alice_b64), group=G)
case("basic_leading_spaces_in_value", "GET", "/basic/", auth("   Basic " + alice_b64), group=G)
case("basic_trailing_spaces_in_value", "GET", "/basic/", auth("Basic " + alice_b64 + "   "), group=G)
case("basic_space_nothing", "GET", "/basic/", auth("Basic "), group=G)
case("basic_spaces_nothing", "GET", "/basic/", auth("Basic    "), group=G)
case("basic_alone", "GET", "/basic/", auth("Basic"), group=G)
case("basic_alone_lowercase", "GET", "/basic/", auth("basic"), group=G)
case("basic_no_space", "GET", "/basic/", auth("Basic" + alice_b64), group=G)
case("basic_empty_header", "GET", "/basic/", auth(""), group=G)
case("basic_unpadded", "GET", "/basic/", auth("Basic " + alice_b64.rstrip("=")), group=G)
case("basic_half_padded", "GET", "/basic/", auth("Basic " + alice_b64[:-1]), group=G)
case("basic_overpadded", "GET", "/basic/", auth("Basic " + alice_b64 + "="), group=G)
case("basic_overpadded_more", "GET", "/basic/", auth("Basic " + alice_b64 + "=="), group=G)
case("basic_padding_then_data", "GET", "/basic/", auth("Basic " + alice_b64 + "QQ=="), group=G)
case("basic_invalid_base64", "GET", "/basic/", auth("Basic !!!!"), group=G)
case("basic_invalid_base64_word", "GET", "/basic/", auth("Basic notbase64"), group=G)
case("basic_invalid_chars_inside_base64", "GET", "/basic/",
     auth("Basic " + alice_b64[:4] + "*" + alice_b64[4:8] + "!" + alice_b64[8:]), group=G,
     note="non-alphabet characters are discarded by Python's b64decode (validate=False)")
case("basic_urlsafe_alphabet", "GET", "/basic/",
     auth("Basic " + base64.urlsafe_b64encode(b"alice:a?>?>?").decode()), group=G)
case("basic_standard_alphabet_plus_slash", "GET", "/basic/",
     auth("Basic " + base64.b64encode(b"alice:a?>?>?").decode()), group=G)
case("basic_two_words", "GET", "/basic/", auth("Basic " + alice_b64 + " " + alice_b64), group=G)
case("basic_credentials_with_space_in_header", "GET", "/basic/", auth("Basic YWxp Y2U6YWxpY2Vwdw=="), group=G)
case("basic_credentials_with_space_in_password", "GET", "/basic/", auth(basic("alice", "alice pw")), group=G)
case("basic_credentials_with_space_in_username", "GET", "/basic/", auth(basic("al ice", "alicepw")), group=G)
case("basic_username_surrounding_spaces", "GET", "/basic/", auth(basic(" alice ", "alicepw")), group=G)
case("basic_password_trailing_space", "GET", "/basic/", auth(basic("alice", "alicepw ")), group=G)
case("basic_no_colon", "GET", "/basic/", auth("Basic " + b64("alicealicepw")), group=G)
case("basic_no_colon_username_only", "GET", "/basic/", auth("Basic " + b64("alice")), group=G)
case("basic_extra_colon_wrong", "GET", "/basic/", auth(basic("alice", "alicepw:extra")), group=G)
case("basic_password_with_colons_ok", "GET", "/basic/", auth(basic("carol", "pa:ss:wd")), group=G,
     note="user carol has password 'pa:ss:wd': the split is on the first ':'")
case("basic_password_with_colons_truncated", "GET", "/basic/", auth(basic("carol", "pa")), group=G)
case("basic_utf8_credentials_ok", "GET", "/basic/", auth(basic("ünï", "pässwörd", "utf-8")), group=G)
case("basic_latin1_credentials_ok", "GET", "/basic/", auth(basic("ünï", "pässwörd", "latin-1")), group=G,
     note="credentials that are not UTF-8 are decoded as latin-1")
case("basic_latin1_credentials_wrong", "GET", "/basic/", auth(basic("ünï", "passwörd", "latin-1")), group=G)
case("basic_latin1_byte_ff_in_password", "GET", "/basic/", auth("Basic " + b64(b"alice:\xff")), group=G)
case("basic_mixed_utf8_and_latin1", "GET", "/basic/",
     auth("Basic " + b64("ünï".encode("utf-8") + b":" + "pässwörd".encode("latin-1"))), group=G,
     note="not valid UTF-8 as a whole, so all of it is decoded as latin-1")
case("basic_nul_in_username", "GET", "/basic/", auth("Basic " + b64(b"alice\x00:alicepw")), group=G)
case("basic_raw_latin1_bytes_in_header", "GET", "/basic/", [(AUTH, b"Basic \xe9\xe9\xe9\xe9")], group=G)
case("basic_raw_utf8_bytes_in_header", "GET", "/basic/", [(AUTH, "Basic ü".encode("utf-8"))], group=G)
case("basic_raw_latin1_bytes_around_base64", "GET", "/basic/",
     [(AUTH, b"Basic \xe9" + alice_b64.encode() + b"\xe9")], group=G)
case("basic_token_scheme_on_basic", "GET", "/basic/", auth(TOKEN_ALICE), group=G)
case("basic_bearer_scheme_on_basic", "GET", "/basic/", auth("Bearer " + ALICE_KEY), group=G)
case("basic_unknown_scheme_on_basic", "GET", "/basic/", auth("Digest username=alice"), group=G)
case("basic_lowercase_header_name", "GET", "/basic/", [("authorization", BASIC_ALICE)], group=G)
case("basic_uppercase_header_name", "GET", "/basic/", [("AUTHORIZATION", BASIC_ALICE)], group=G)
case("basic_two_authorization_headers", "GET", "/basic/", [(AUTH, BASIC_ALICE), (AUTH, BASIC_ADMIN)], group=G,
     note="wsgiref joins repeated headers with ',' so DRF sees 'Basic X,Basic Y' (server-specific)")
case("basic_header_with_underscore_name", "GET", "/basic/", [("X_Authorization", BASIC_ALICE)], group=G)
case("basic_on_default_ok", "GET", "/default/", auth(BASIC_ALICE), group=G)
case("basic_on_default_post_ok", "POST", "/default/", auth(BASIC_ALICE), group=G,
     note="no CSRF check: the user came from Basic, not from a session")
case("basic_on_default_wrong", "GET", "/default/", auth(basic("alice", "wrong")), group=G)
case("basic_on_default_alone", "GET", "/default/", auth("Basic"), group=G)
case("basic_on_public_ok", "GET", "/public/", auth(BASIC_ALICE), group=G)
case("basic_on_public_wrong", "GET", "/public/", auth(basic("alice", "wrong")), group=G)
case("basic_on_public_inactive", "GET", "/public/", auth(basic("inactive", "inactivepw")), group=G)
case("basic_on_public_alone", "GET", "/public/", auth("Basic"), group=G)
case("basic_on_public_spaces", "GET", "/public/", auth("Basic a b"), group=G)
case("basic_on_public_bad_base64", "GET", "/public/", auth("Basic !!!!"), group=G)
case("basic_on_public_token_header", "GET", "/public/", auth(TOKEN_ALICE), group=G,
     note="Token is not among /public/'s classes: anonymous")
case("basic_on_public_wrong_head", "HEAD", "/public/", auth(basic("alice", "wrong")), group=G)
case("basic_on_public_wrong_post", "POST", "/public/", auth(basic("alice", "wrong")), group=G)

# --------------------------------------------------------------------------------------------
# 4. Token authentication (on /token/)
# --------------------------------------------------------------------------------------------
G = "token"
case("token_ok", "GET", "/token/", auth(TOKEN_ALICE), group=G)
case("token_ok_post", "POST", "/token/", auth(TOKEN_ALICE), group=G)
case("token_admin_ok", "GET", "/token/", auth(TOKEN_ADMIN), group=G)
case("token_wrong", "GET", "/token/", auth("Token " + UNKNOWN_KEY), group=G)
case("token_wrong_short", "GET", "/token/", auth("Token abc"), group=G)
case("token_wrong_long", "GET", "/token/", auth("Token " + ALICE_KEY + "0"), group=G)
case("token_truncated", "GET", "/token/", auth("Token " + ALICE_KEY[:-1]), group=G)
case("token_uppercase_key", "GET", "/token/", auth("Token " + ALICE_KEY.upper()), group=G)
case("token_inactive", "GET", "/token/", auth("Token " + INACTIVE_KEY), group=G)
case("token_inactive_post", "POST", "/token/", auth("Token " + INACTIVE_KEY), group=G)
case("token_alone", "GET", "/token/", auth("Token"), group=G)
case("token_space_nothing", "GET", "/token/", auth("Token "), group=G)
case("token_two_words", "GET", "/token/", auth("Token a b"), group=G)
case("token_key_and_extra", "GET", "/token/", auth(TOKEN_ALICE + " extra"), group=G)
case("token_keyword_lowercase", "GET", "/token/", auth("token " + ALICE_KEY), group=G)
case("token_keyword_uppercase", "GET", "/token/", auth("TOKEN " + ALICE_KEY), group=G)
case("token_several_spaces", "GET", "/token/", auth("Token     " + ALICE_KEY), group=G)
case("token_tab_separator", "GET", "/token/", auth("Token\t" + ALICE_KEY), group=G)
case("token_trailing_spaces", "GET", "/token/", auth(TOKEN_ALICE + "   "), group=G)
case("token_no_space", "GET", "/token/", auth("Token" + ALICE_KEY), group=G)
case("token_empty_header", "GET", "/token/", auth(""), group=G)
case("token_raw_latin1_byte", "GET", "/token/", [(AUTH, b"Token abc\xe9def")], group=G)
case("token_raw_latin1_key_only", "GET", "/token/", [(AUTH, b"Token \xe9")], group=G)
case("token_raw_byte_ff", "GET", "/token/", [(AUTH, b"Token \xff" + ALICE_KEY.encode())], group=G)
case("token_raw_utf8_e_acute", "GET", "/token/", [(AUTH, "Token abcédef".encode("utf-8"))], group=G,
     note="valid UTF-8 bytes decode fine, so this is 'Invalid token.'")
case("token_raw_utf8_emoji", "GET", "/token/", [(AUTH, "Token 🔑".encode("utf-8"))], group=G)
case("token_raw_control_byte_01", "GET", "/token/", [(AUTH, b"Token abc\x01def")], group=G)
case("token_raw_control_byte_7f", "GET", "/token/", [(AUTH, b"Token abc\x7fdef")], group=G)
case("token_raw_nul_byte", "GET", "/token/", [(AUTH, b"Token abc\x00def")], group=G)
case("token_raw_byte_a0_nbsp_separator", "GET", "/token/", [(AUTH, b"Token\xa0" + ALICE_KEY.encode())], group=G,
     note="0xA0 is not whitespace for bytes.split(), so the first word is 'Token\\xa0<key>'")
case("token_raw_byte_85_in_key", "GET", "/token/", [(AUTH, b"Token " + ALICE_KEY.encode() + b"\x85")], group=G)
case("token_raw_vertical_tab_separator", "GET", "/token/", [(AUTH, b"Token\x0b" + ALICE_KEY.encode())], group=G)
case("token_raw_form_feed_separator", "GET", "/token/", [(AUTH, b"Token\x0c" + ALICE_KEY.encode())], group=G)
case("token_bearer_keyword_on_token", "GET", "/token/", auth("Bearer " + ALICE_KEY), group=G)
case("token_basic_on_token", "GET", "/token/", auth(BASIC_ALICE), group=G)
case("token_basic_wrong_on_token", "GET", "/token/", auth(basic("alice", "wrong")), group=G)
case("token_on_public", "GET", "/public/", auth(TOKEN_ALICE), group=G)
case("token_on_default", "GET", "/default/", auth(TOKEN_ALICE), group=G)
case("token_two_authorization_headers", "GET", "/token/", [(AUTH, TOKEN_ALICE), (AUTH, TOKEN_ADMIN)], group=G)

# --------------------------------------------------------------------------------------------
# 5. Bearer (TokenAuthentication subclass, keyword = 'Bearer') on /bearer/
# --------------------------------------------------------------------------------------------
G = "bearer"
case("bearer_ok", "GET", "/bearer/", auth("Bearer " + ALICE_KEY), group=G)
case("bearer_admin_ok", "GET", "/bearer/", auth("Bearer " + ADMIN_KEY), group=G)
case("bearer_lowercase_keyword", "GET", "/bearer/", auth("bearer " + ALICE_KEY), group=G)
case("bearer_uppercase_keyword", "GET", "/bearer/", auth("BEARER " + ALICE_KEY), group=G)
case("bearer_wrong", "GET", "/bearer/", auth("Bearer " + UNKNOWN_KEY), group=G)
case("bearer_uppercase_key", "GET", "/bearer/", auth("Bearer " + ALICE_KEY.upper()), group=G)
case("bearer_inactive", "GET", "/bearer/", auth("Bearer " + INACTIVE_KEY), group=G)
case("bearer_alone", "GET", "/bearer/", auth("Bearer"), group=G)
case("bearer_two_words", "GET", "/bearer/", auth("Bearer a b"), group=G)
case("bearer_no_space", "GET", "/bearer/", auth("Bearer" + ALICE_KEY), group=G)
case("bearer_raw_latin1_byte", "GET", "/bearer/", [(AUTH, b"Bearer \xe9")], group=G)
case("bearer_token_keyword_on_bearer", "GET", "/bearer/", auth(TOKEN_ALICE), group=G)
case("bearer_basic_on_bearer", "GET", "/bearer/", auth(BASIC_ALICE), group=G)
case("bearer_post", "POST", "/bearer/", auth("Bearer " + ALICE_KEY), group=G)
case("bearer_wrong_post", "POST", "/bearer/", auth("Bearer " + UNKNOWN_KEY), group=G)

# --------------------------------------------------------------------------------------------
# 6. Combinations: /token-basic/ (Token, Basic) and /basic-token/ (Basic, Token)
# --------------------------------------------------------------------------------------------
G = "combo"
for path, slug in [("/token-basic/", "token_basic"), ("/basic-token/", "basic_token")]:
    case(f"{slug}_anon", "GET", path, group=G)
    case(f"{slug}_token_ok", "GET", path, auth(TOKEN_ALICE), group=G)
    case(f"{slug}_basic_ok", "GET", path, auth(BASIC_ALICE), group=G)
    case(f"{slug}_token_wrong", "GET", path, auth("Token " + UNKNOWN_KEY), group=G)
    case(f"{slug}_token_inactive", "GET", path, auth("Token " + INACTIVE_KEY), group=G)
    case(f"{slug}_token_alone", "GET", path, auth("Token"), group=G)
    case(f"{slug}_token_spaces", "GET", path, auth("Token a b"), group=G)
    case(f"{slug}_token_invalid_chars", "GET", path, [(AUTH, b"Token \xe9")], group=G)
    case(f"{slug}_basic_wrong", "GET", path, auth(basic("alice", "wrong")), group=G)
    case(f"{slug}_basic_inactive", "GET", path, auth(basic("inactive", "inactivepw")), group=G)
    case(f"{slug}_basic_alone", "GET", path, auth("Basic"), group=G)
    case(f"{slug}_basic_spaces", "GET", path, auth("Basic a b"), group=G)
    case(f"{slug}_basic_bad_base64", "GET", path, auth("Basic !!!!"), group=G)
    case(f"{slug}_bearer_header", "GET", path, auth("Bearer " + ALICE_KEY), group=G)
    case(f"{slug}_unknown_scheme", "GET", path, auth("Digest x"), group=G)
    case(f"{slug}_token_wrong_post", "POST", path, auth("Token " + UNKNOWN_KEY), group=G)
    case(f"{slug}_basic_wrong_post", "POST", path, auth(basic("alice", "wrong")), group=G)

# --------------------------------------------------------------------------------------------
# 7. Permissions: /admin-only/, /read-only/, /composed/
# --------------------------------------------------------------------------------------------
G = "perm"
case("admin_only_anon", "GET", "/admin-only/", group=G)
case("admin_only_token_alice", "GET", "/admin-only/", auth(TOKEN_ALICE), group=G)
case("admin_only_basic_alice", "GET", "/admin-only/", auth(BASIC_ALICE), group=G)
case("admin_only_token_admin", "GET", "/admin-only/", auth(TOKEN_ADMIN), group=G)
case("admin_only_basic_admin", "GET", "/admin-only/", auth(BASIC_ADMIN), group=G)
case("admin_only_post_alice", "POST", "/admin-only/", auth(TOKEN_ALICE), group=G)
case("admin_only_post_admin", "POST", "/admin-only/", auth(TOKEN_ADMIN), group=G)
case("admin_only_post_anon", "POST", "/admin-only/", group=G)
case("admin_only_token_wrong", "GET", "/admin-only/", auth("Token " + UNKNOWN_KEY), group=G)
case("admin_only_token_inactive", "GET", "/admin-only/", auth("Token " + INACTIVE_KEY), group=G)
case("admin_only_basic_wrong", "GET", "/admin-only/", auth(basic("admin", "wrong")), group=G)
case("read_only_get_anon", "GET", "/read-only/", group=G)
case("read_only_head_anon", "HEAD", "/read-only/", group=G)
case("read_only_options_anon", "OPTIONS", "/read-only/", group=G)
case("read_only_post_anon", "POST", "/read-only/", group=G)
case("read_only_put_anon", "PUT", "/read-only/", group=G)
case("read_only_delete_anon", "DELETE", "/read-only/", group=G)
case("read_only_foo_anon", "FOO", "/read-only/", group=G)
case("read_only_get_alice", "GET", "/read-only/", auth(TOKEN_ALICE), group=G)
case("read_only_post_alice_token", "POST", "/read-only/", auth(TOKEN_ALICE), group=G)
case("read_only_post_alice_basic", "POST", "/read-only/", auth(BASIC_ALICE), group=G)
case("read_only_put_alice", "PUT", "/read-only/", auth(TOKEN_ALICE), group=G)
case("read_only_get_token_wrong", "GET", "/read-only/", auth("Token " + UNKNOWN_KEY), group=G)
case("read_only_get_basic_wrong", "GET", "/read-only/", auth(basic("alice", "wrong")), group=G)
case("read_only_post_token_inactive", "POST", "/read-only/", auth("Token " + INACTIVE_KEY), group=G)
case("composed_anon", "GET", "/composed/", group=G)
case("composed_token_alice", "GET", "/composed/", auth(TOKEN_ALICE), group=G)
case("composed_basic_alice", "GET", "/composed/", auth(BASIC_ALICE), group=G)
case("composed_token_admin", "GET", "/composed/", auth(TOKEN_ADMIN), group=G)
case("composed_basic_admin", "GET", "/composed/", auth(BASIC_ADMIN), group=G)
case("composed_token_inactive", "GET", "/composed/", auth("Token " + INACTIVE_KEY), group=G)
case("composed_post_alice", "POST", "/composed/", auth(TOKEN_ALICE), group=G)
case("composed_post_admin", "POST", "/composed/", auth(TOKEN_ADMIN), group=G)
case("composed_post_anon", "POST", "/composed/", group=G)
case("session_anon", "GET", "/session/", group=G)
case("session_basic_alice", "GET", "/session/", auth(BASIC_ALICE), group=G)
case("session_token_alice", "GET", "/session/", auth(TOKEN_ALICE), group=G)
case("session_post_anon", "POST", "/session/", group=G)
case("session_put_anon", "PUT", "/session/", group=G)

# --------------------------------------------------------------------------------------------
# 8. Content negotiation
# --------------------------------------------------------------------------------------------
G = "accept"
ACCEPTS = [
    ("xml", "application/xml"),
    ("json", "application/json"),
    ("json_q05", "application/json;q=0.5"),
    ("json_q0", "application/json;q=0"),
    ("any", "*/*"),
    ("html", "text/html"),
    ("html_then_json", "text/html, application/json"),
    ("xml_then_json_q", "application/xml, application/json;q=0.1"),
    ("application_any", "application/*"),
    ("text_any", "text/*"),
    ("json_indent4", "application/json; indent=4"),
    ("json_indent2_nospace", "application/json;indent=2"),
    ("json_indent_bad", "application/json; indent=abc"),
    ("json_charset", "application/json; charset=utf-8"),
    ("json_uppercase", "APPLICATION/JSON"),
    ("empty", ""),
    ("garbage", "garbage"),
    ("browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    ("hal_json", "application/hal+json"),
]
for slug, value in ACCEPTS:
    case(f"accept_{slug}_basic_alice", "GET", "/basic/", [(AUTH, BASIC_ALICE), ("Accept", value)], group=G)
for slug in ["xml", "html", "json_q05", "any", "json_indent4"]:
    value = dict(ACCEPTS)[slug]
    case(f"accept_{slug}_basic_anon", "GET", "/basic/", [("Accept", value)], group=G)
    case(f"accept_{slug}_public_anon", "GET", "/public/", [("Accept", value)], group=G)
    case(f"accept_{slug}_basic_wrong", "GET", "/basic/", [(AUTH, basic("alice", "wrong")), ("Accept", value)], group=G)
case("accept_xml_head_basic_alice", "HEAD", "/basic/", [(AUTH, BASIC_ALICE), ("Accept", "application/xml")], group=G)
case("accept_xml_put_basic_alice", "PUT", "/basic/", [(AUTH, BASIC_ALICE), ("Accept", "application/xml")], group=G)
case("accept_xml_options_public", "OPTIONS", "/public/", [("Accept", "application/xml")], group=G)
case("accept_xml_api_token_auth", "POST", "/api-token-auth/", [("Accept", "application/xml")],
     body='{"username":"alice","password":"alicepw"}', content_type="application/json", group=G)
case("accept_html_api_token_auth_bad", "POST", "/api-token-auth/", [("Accept", "text/html")],
     body='{}', content_type="application/json", group=G)
case("accept_indent_api_token_auth", "POST", "/api-token-auth/", [("Accept", "application/json; indent=4")],
     body='{}', content_type="application/json", group=G)
case("accept_indent_options_public", "OPTIONS", "/public/", [("Accept", "application/json; indent=4")], group=G)
case("format_query_json_basic_alice", "GET", "/basic/?format=json", auth(BASIC_ALICE), group=G)
case("format_query_xml_basic_alice", "GET", "/basic/?format=xml", auth(BASIC_ALICE), group=G)
case("format_query_xml_basic_anon", "GET", "/basic/?format=xml", group=G)
case("format_query_api_public", "GET", "/public/?format=api", group=G)
case("query_string_ignored_basic_alice", "GET", "/basic/?a=1&b=2", auth(BASIC_ALICE), group=G)

# --------------------------------------------------------------------------------------------
# 9. obtain_auth_token (/api-token-auth/)
# --------------------------------------------------------------------------------------------
G = "obtain"
P = "/api-token-auth/"
J = "application/json"
F = "application/x-www-form-urlencoded"
BOUNDARY = "XyZboundary1234"
M = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(fields):
    out = ""
    for k, v in fields:
        out += f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
    return out + f"--{BOUNDARY}--\r\n"


def obtain(name, body, ct, headers=(), method="POST", note=None):
    case("obtain_" + name, method, P, headers, body=body, content_type=ct, group=G, note=note)


obtain("json_ok", '{"username":"alice","password":"alicepw"}', J)
obtain("json_ok_repeat", '{"username":"alice","password":"alicepw"}', J, note="same key again")
obtain("json_ok_pretty", '{\n  "username": "alice",\n  "password": "alicepw"\n}', J)
obtain("json_admin_ok", '{"username":"admin","password":"adminpw"}', J)
obtain("form_ok", "username=alice&password=alicepw", F)
obtain("form_ok_charset", "username=alice&password=alicepw", F + "; charset=utf-8")
obtain("multipart_ok", multipart([("username", "alice"), ("password", "alicepw")]), M)
obtain("json_charset_utf8", '{"username":"alice","password":"alicepw"}', J + "; charset=utf-8")
obtain("json_uppercase_content_type", '{"username":"alice","password":"alicepw"}', "APPLICATION/JSON")
obtain("json_wrong_password", '{"username":"alice","password":"wrong"}', J)
obtain("json_unknown_user", '{"username":"nobody","password":"x"}', J)
obtain("json_inactive_right_password", '{"username":"inactive","password":"inactivepw"}', J)
obtain("json_inactive_wrong_password", '{"username":"inactive","password":"x"}', J)
obtain("json_username_case", '{"username":"ALICE","password":"alicepw"}', J)
obtain("json_empty_object", "{}", J)
obtain("no_body_no_content_type", None, None)
obtain("empty_body_no_content_type", "", None)
obtain("empty_body_json", "", J, note="Content-Length: 0: DRF does not parse at all, so this is not a JSON error")
obtain("no_body_json_content_type", None, J)
obtain("empty_body_form", "", F)
obtain("json_blank_strings", '{"username":"","password":""}', J)
obtain("json_blank_username", '{"username":"","password":"alicepw"}', J)
obtain("json_blank_password", '{"username":"alice","password":""}', J)
obtain("json_whitespace_username", '{"username":"   ","password":"alicepw"}', J)
obtain("json_whitespace_password", '{"username":"alice","password":"   "}', J)
obtain("json_nulls", '{"username":null,"password":null}', J)
obtain("json_null_username", '{"username":null,"password":"alicepw"}', J)
obtain("json_null_password", '{"username":"alice","password":null}', J)
obtain("json_only_username", '{"username":"alice"}', J)
obtain("json_only_password", '{"password":"alicepw"}', J)
obtain("json_username_surrounding_spaces", '{"username":"  alice  ","password":"alicepw"}', J)
obtain("json_username_tab_newline", '{"username":"\\talice\\n","password":"alicepw"}', J)
obtain("json_password_surrounding_spaces", '{"username":"alice","password":" alicepw "}', J)
obtain("json_password_trailing_space", '{"username":"alice","password":"alicepw "}', J)
obtain("json_list", "[]", J)
obtain("json_list_of_objects", '[{"username":"alice","password":"alicepw"}]', J)
obtain("json_string", '"alice"', J)
obtain("json_number", "42", J)
obtain("json_true", "true", J)
obtain("json_null_document", "null", J)
obtain("json_numbers", '{"username":1,"password":2}', J)
obtain("json_floats", '{"username":1.5,"password":2.5}', J)
obtain("json_booleans", '{"username":true,"password":false}', J)
obtain("json_nested_object", '{"username":{"a":1},"password":"alicepw"}', J)
obtain("json_nested_objects_both", '{"username":{"a":1},"password":{"b":2}}', J)
obtain("json_list_values", '{"username":["alice"],"password":["alicepw"]}', J)
obtain("json_empty_list_values", '{"username":[],"password":[]}', J)
obtain("json_nan", '{"username":NaN,"password":"x"}', J)
obtain("json_infinity", '{"username":"alice","password":Infinity}', J)
obtain("json_extra_fields", '{"username":"alice","password":"alicepw","extra":1,"token":"x"}', J)
obtain("json_duplicate_keys", '{"username":"bob","username":"alice","password":"alicepw"}', J)
obtain("json_unicode_escape", '{"username":"\\u0061lice","password":"alicepw"}', J)
obtain("malformed_open_brace", "{", J)
obtain("malformed_missing_value", '{"a":}', J)
obtain("malformed_nul", "nul", J)
obtain("malformed_trailing_comma", '{"username":"alice",}', J)
obtain("malformed_single_quotes", "{'username':'alice'}", J)
obtain("malformed_trailing_garbage", '{"username":"alice","password":"alicepw"} x', J)
obtain("malformed_two_documents", "{}{}", J)
obtain("malformed_whitespace_only", "   ", J)
obtain("malformed_unterminated_string", '{"username":"alice', J)
obtain("malformed_form_as_json", "username=alice&password=alicepw", J)
obtain("json_non_utf8_bytes", b'{"username":"\xe9","password":"x"}', J)
obtain("json_utf8_bom", "\ufeff" + '{"username":"alice","password":"alicepw"}', J)
obtain("json_latin1_charset_user", '{"username":"ünï","password":"pässwörd"}'.encode("latin-1"),
       J + "; charset=latin-1", note="creates a token for ünï; key replaced by <UNI_KEY>")
obtain("text_plain", '{"username":"alice","password":"alicepw"}', "text/plain")
obtain("text_plain_empty", "", "text/plain")
obtain("application_xml", "<a/>", "application/xml")
obtain("vnd_api_json", '{"username":"alice","password":"alicepw"}', "application/vnd.api+json")
obtain("octet_stream", "x", "application/octet-stream")
obtain("garbage_content_type", "x", "garbage")
obtain("multipart_no_boundary", "x", "multipart/form-data")
obtain("multipart_bad_body", "not multipart", M)
obtain("multipart_missing_password", multipart([("username", "alice")]), M)
obtain("multipart_blank", multipart([("username", ""), ("password", "")]), M)
obtain("multipart_username_spaces", multipart([("username", " alice "), ("password", "alicepw")]), M)
obtain("form_blank", "username=&password=", F)
obtain("form_missing_password", "username=alice", F)
obtain("form_username_spaces", "username=+alice+&password=alicepw", F)
obtain("form_password_spaces", "username=alice&password=+alicepw+", F)
obtain("form_wrong_password", "username=alice&password=wrong", F)
obtain("form_repeated_username", "username=bob&username=alice&password=alicepw", F)
obtain("form_percent_utf8_user", "username=%C3%BCn%C3%AF&password=p%C3%A4ssw%C3%B6rd", F,
       note="token for ünï already created by json_latin1_charset_user")
obtain("form_garbage", "&&&===", F)
obtain("form_content_type_json_body", '{"username":"alice","password":"alicepw"}', F)
obtain("json_content_type_form_body", "username=alice&password=alicepw", J + "; charset=utf-8")
# request bodies are parsed lazily: views that never read request.data do not fail on bad bodies
case("lazy_parse_default_post_malformed_json", "POST", "/default/", body="{", content_type=J, group=G)
case("lazy_parse_basic_post_malformed_json", "POST", "/basic/", auth(BASIC_ALICE), body="{", content_type=J, group=G)
case("lazy_parse_token_post_text_plain", "POST", "/token/", auth(TOKEN_ALICE), body="hello", content_type="text/plain",
     group=G)
case("lazy_parse_read_only_post_anon_malformed", "POST", "/read-only/", body="{", content_type=J, group=G)
obtain("get", None, None, method="GET")
obtain("get_with_json_body", '{"username":"alice","password":"alicepw"}', J, method="GET")
obtain("head", None, None, method="HEAD")
obtain("options", None, None, method="OPTIONS")
obtain("put_json", '{"username":"alice","password":"alicepw"}', J, method="PUT")
obtain("lowercase_post", '{"username":"alice","password":"alicepw"}', J, method="post")
obtain("with_valid_basic_header", '{"username":"alice","password":"alicepw"}', J, headers=auth(BASIC_ADMIN))
obtain("with_wrong_basic_header", '{"username":"alice","password":"alicepw"}', J,
       headers=auth(basic("alice", "wrong")))
obtain("with_basic_alone_header", '{"username":"alice","password":"alicepw"}', J, headers=auth("Basic"))
obtain("with_token_header", '{"username":"alice","password":"alicepw"}', J, headers=auth(TOKEN_ADMIN))
obtain("with_wrong_token_header", '{"username":"alice","password":"alicepw"}', J,
       headers=auth("Token " + UNKNOWN_KEY))
obtain("with_accept_xml_bad_body", "{", J, headers=[("Accept", "application/xml")])
# bob has no token: one is created (key recorded as <KEY>), the same comes back, and it works
obtain("bob_creates_token", '{"username":"bob","password":"bobpw"}', J,
       note="bob had no token: one is created; the key is recorded as <KEY>")
obtain("bob_same_token_again", '{"username":"bob","password":"bobpw"}', J)
obtain("bob_same_token_form", "username=bob&password=bobpw", F)
case("obtain_bob_key_works_on_token", "GET", "/token/", auth("Token <KEY>"), group=G)
case("obtain_bob_key_works_on_bearer", "GET", "/bearer/", auth("Bearer <KEY>"), group=G)
obtain("alice_key_unchanged", '{"username":"alice","password":"alicepw"}', J)

# Request bodies as DRF parses them (issue 14): a body without Content-Type (wsgiref supplies
# text/plain), multipart without its closing boundary, numbers beyond float range, lone
# surrogates, and content types with parameters or odd case.
UNTERMINATED = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n"
for slug, body in [("empty_object", "{}"), ("list", "[]"), ("string", '"str"'),
                   ("trailing_garbage", '{"a": 1} x'),
                   ("multipart", multipart([("username", "alice"), ("password", "alicepw")])),
                   ("credentials_json", '{"username":"alice","password":"alicepw"}'),
                   ("form", "username=alice&password=alicepw")]:
    obtain(f"untyped_body_{slug}", body, None)
obtain("untyped_body_not_utf8", b"\xff\xfe{}", None)
obtain("multipart_unterminated_username", UNTERMINATED + "x\r\n", M)
obtain("multipart_unterminated_both", UNTERMINATED + f"x\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\ny\r\n", M)
obtain("multipart_unterminated_alice_ok", UNTERMINATED + f"alice\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nalicepw", M)
obtain("multipart_unterminated_empty_username", UNTERMINATED + "\r\n", M)
obtain("multipart_unterminated_no_value", UNTERMINATED, M)
obtain("multipart_unterminated_headers", f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"username\"\r\n", M)
obtain("multipart_partial_closing_boundary", UNTERMINATED + f"x\r\n--{BOUNDARY[:4]}", M)
obtain("multipart_boundary_at_end", UNTERMINATED + f"x\r\n--{BOUNDARY}", M)
obtain("multipart_preamble", "junk\r\n" + multipart([("username", "alice"), ("password", "alicepw")]), M)
obtain("multipart_quoted_boundary", multipart([("username", "alice"), ("password", "alicepw")]),
       f'multipart/form-data; boundary="{BOUNDARY}"')
obtain("multipart_capitalized_type", multipart([("username", "alice"), ("password", "alicepw")]),
       f"Multipart/form-data; boundary={BOUNDARY}")
obtain("multipart_boundary_param_missing", multipart([("username", "alice")]), "multipart/form-data")
obtain("multipart_base64_field", f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"username\"\r\nContent-Transfer-Encoding: base64\r\n\r\nYWxpY2U=\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nalicepw\r\n--{BOUNDARY}--\r\n", M)
obtain("multipart_username_is_a_file", f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"username\"; filename=\"a.txt\"\r\n\r\nalice\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nalicepw\r\n--{BOUNDARY}--\r\n", M)
obtain("json_infinite_username_bool_password", '{"username": 1e999, "password": true}', J)
obtain("json_infinite_username", '{"username": 1e999, "password": "x"}', J)
obtain("json_negative_infinite_username", '{"username": -1e999, "password": "alicepw"}', J)
obtain("json_big_integer_username", '{"username": 123456789012345678901234567890, "password": "x"}', J)
obtain("json_infinite_document", "1e999", J)
obtain("json_nan_literal", '{"username": NaN, "password": "x"}', J)
obtain("json_lone_surrogate_password_null_username", '{"password": "\\ud800", "username": null}', J)
obtain("json_lone_surrogate_password", '{"username": "alice", "password": "a\\udc00"}', J)
obtain("json_surrogate_and_nul", '{"username": "a\\u0000\\udfff", "password": "x"}', J)
obtain("json_surrogate_pair_username", '{"username": "\\ud83d\\ude00", "password": "x"}', J)
obtain("json_charset_latin1", '{"username":"alice","password":"alicepw"}', J + "; charset=latin-1")
obtain("json_content_type_spaces", '{"username":"alice","password":"alicepw"}', "application/json ; charset=UTF-8")
obtain("form_uppercase_type", "username=alice&password=alicepw", "Application/X-WWW-Form-Urlencoded")
obtain("text_plain_body", '{"username":"alice","password":"alicepw"}', "text/plain")
obtain("json_vendor_type", '{"username":"alice","password":"alicepw"}', "application/vnd.api+json")
obtain("form_repeated_username_last_wins", "username=nobody&username=alice&password=alicepw", F)

# Found by the differential body run (tests/drf_reference/diff_bodies.py): the view's parser
# order (obtain_auth_token tries Form, MultiPart, JSON), media types read as Django and DRF
# read them, the request's charset, a trailing file of an unterminated multipart body, deep
# nesting, and the same field rules in an @api_view's typed body (/session-login/).
obtain("wildcard_content_type_json_body", '{"username":"alice","password":"x"}', "*/*")
obtain("application_wildcard_form_body", "username=alice&password=x", "application/*")
obtain("content_type_space_before_slash", '{"username":"alice","password":"x"}', "application /json")
obtain("content_type_space_after_slash", '{"username":"alice","password":"x"}', "application/ json")
obtain("content_type_too_long", '{"username":"alice","password":"x"}', J + "; x=" + "y" * 300)
obtain("content_type_256_chars", '{"username":"alice","password":"x"}', J + "; x=" + "y" * 236)
obtain("json_charset_utf16_no_bom", "{}", J + "; charset=utf-16")
obtain("json_charset_utf16_bom", '{"username":"alice","password":"x"}'.encode("utf-16"), J + "; charset=UTF-16")
obtain("json_charset_utf16le_surrogate", '{"username":"alice"}'.encode("utf-16-le") + b"\x00\xdc",
       J + "; charset=utf-16le")
obtain("json_charset_quoted_ascii", b'{"username":"\xc3\xa9","password":"x"}', J + '; charset="ascii"')
obtain("json_charset_bz2", "{}", J + "; charset=bz2")
obtain("json_charset_unknown_is_utf8", '{"username":"\\u00a0","password":"x"}', J + "; charset=bogus")
obtain("json_charset_cp1252", b'{"username":"\x80","password":"x"}', J + "; charset=windows-1252")
obtain("form_charset_latin1_nbsp", "username=%A0&password=x", F + "; charset=latin-1")
obtain("form_utf8_nbsp_escape", "username=%A0&password=x", F)
obtain("form_not_utf8_read_as_latin1", b"username=\xa0&password=x", F)
obtain("form_charset_koi8r_ascii", "username=alice&password=x", F + "; charset=koi8-r")
obtain("form_charset_hex", "username=alice&password=x", F + "; charset=hex")
obtain("multipart_unterminated_trailing_file", UNTERMINATED + f"bob\r\n--{BOUNDARY}\r\n"
       "Content-Disposition: form-data; name=\"password\"; filename=\"f.txt\"\r\n"
       "Content-Type: text/plain\r\n\r\nx\r\n", M)
obtain("multipart_terminated_trailing_file", UNTERMINATED + f"bob\r\n--{BOUNDARY}\r\n"
       "Content-Disposition: form-data; name=\"password\"; filename=\"f.txt\"\r\n"
       f"Content-Type: text/plain\r\n\r\nx\r\n--{BOUNDARY}--\r\n", M)
obtain("multipart_charset_latin1_nbsp", (UNTERMINATED + "\xa0\r\n").encode("latin-1"), M + "; charset=latin-1")
obtain("json_nested_900_lists", "[" * 900 + "]" * 900, J)
obtain("json_nested_900_objects", '{"a":' * 900 + "1" + "}" * 900, J)
# Django's DATA_UPLOAD_MAX_NUMBER_FIELDS (1000) and DATA_UPLOAD_MAX_NUMBER_FILES (100): past
# them, Django's own 400 page, outside DRF's answer.
obtain("form_1000_fields", "&".join(f"f{i}=" for i in range(1000)), F)
obtain("form_1001_fields", "&".join(f"f{i}=" for i in range(1001)), F)
obtain("form_1000_ampersands", "&" * 1000, F)
obtain("multipart_1000_fields", f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n" * 1000
       + f"--{BOUNDARY}--\r\n", M)
obtain("multipart_1001_fields", f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n" * 1001
       + f"--{BOUNDARY}--\r\n", M)
obtain("multipart_101_files", f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=a; filename=b\r\n\r\n\r\n"
       * 101 + f"--{BOUNDARY}--\r\n", M)

# --------------------------------------------------------------------------------------------
# 10. Unknown paths and URL shapes
# --------------------------------------------------------------------------------------------
G = "routing"
case("unknown_path_get", "GET", "/nope/", group=G)
case("unknown_path_post", "POST", "/nope/", group=G)
case("unknown_path_head", "HEAD", "/nope/", group=G)
case("unknown_path_options", "OPTIONS", "/nope/", group=G)
case("unknown_path_foo", "FOO", "/nope/", group=G)
case("unknown_path_with_auth", "GET", "/nope/", auth(BASIC_ALICE), group=G)
case("unknown_path_accept_json", "GET", "/nope/", [("Accept", "application/json")], group=G)
case("root_path", "GET", "/", group=G)
case("no_trailing_slash_get", "GET", "/basic", group=G)
case("no_trailing_slash_get_query", "GET", "/basic?x=1", group=G)
case("no_trailing_slash_post", "POST", "/api-token-auth", body='{"username":"alice","password":"alicepw"}',
     content_type=J, group=G)
case("no_trailing_slash_unknown", "GET", "/nope", group=G)
case("double_slash", "GET", "//basic/", group=G)
case("uppercase_path", "GET", "/BASIC/", group=G)
case("extra_segment", "GET", "/basic/x/", group=G)
case("percent_encoded_path", "GET", "/%62asic/", auth(BASIC_ALICE), group=G)

# --------------------------------------------------------------------------------------------
# 11. Session login and CSRF (needs cookies: <SESSIONID>, <CSRFSECRET> placeholders)
# --------------------------------------------------------------------------------------------
G = "session"
case("session_login_get", "GET", "/session-login/", group=G)
case("session_login_bad_credentials", "POST", "/session-login/", body='{"username":"alice","password":"x"}',
     content_type=J, group=G)
case("session_login_inactive", "POST", "/session-login/", body='{"username":"inactive","password":"inactivepw"}',
     content_type=J, group=G)
case("session_login_empty", "POST", "/session-login/", body="{}", content_type=J, group=G)
for slug, body, ct in [
    ("trimmed_blank_username", '{"username":" \\u3000 ","password":"x"}', J),
    ("nul_in_username", '{"username":"a\\u0000","password":"x"}', J),
    ("surrogate_password", '{"username":"alice","password":"\\ud800"}', J),
    ("wildcard_json_body", '{"username":"alice","password":"x"}', "*/*"),
    ("form_blank_after_plus", "username=+&password=x", F),
    ("multipart_trimmed", multipart([("username", "  "), ("password", "x")]), M),
    ("form_1001_fields", "&".join(f"f{i}=" for i in range(1001)), F),
]:
    case("session_login_" + slug, "POST", "/session-login/", body=body, content_type=ct, group=G)
case("session_login_ok", "POST", "/session-login/", body='{"username":"alice","password":"alicepw"}',
     content_type=J, group=G, note="sets sessionid and csrftoken cookies (values captured as placeholders)")
CK = "sessionid=<SESSIONID>"
CKC = "sessionid=<SESSIONID>; csrftoken=<CSRFSECRET>"
case("session_cookie_get", "GET", "/session/", [("Cookie", CK)], group=G)
case("session_cookie_post_no_csrf_cookie", "POST", "/session/", [("Cookie", CK)], group=G)
case("session_cookie_post_no_csrf_token", "POST", "/session/", [("Cookie", CKC)], group=G)
case("session_cookie_post_header_secret_ok", "POST", "/session/", [("Cookie", CKC), ("X-CSRFToken", "<CSRFSECRET>")],
     group=G)
case("session_cookie_post_header_wrong", "POST", "/session/",
     [("Cookie", CKC), ("X-CSRFToken", "a" * 32)], group=G)
case("session_cookie_post_header_wrong_64", "POST", "/session/",
     [("Cookie", CKC), ("X-CSRFToken", "a" * 64)], group=G)
case("session_cookie_post_header_bad_length", "POST", "/session/",
     [("Cookie", CKC), ("X-CSRFToken", "abc")], group=G)
case("session_cookie_post_header_bad_chars", "POST", "/session/",
     [("Cookie", CKC), ("X-CSRFToken", "!" * 32)], group=G)
case("session_cookie_post_form_wrong", "POST", "/session/", [("Cookie", CKC)],
     body="csrfmiddlewaretoken=" + "b" * 32, content_type=F, group=G)
case("session_cookie_post_form_ok", "POST", "/session/", [("Cookie", CKC)],
     body="csrfmiddlewaretoken=<CSRFSECRET>", content_type=F, group=G)
case("session_cookie_post_bad_origin", "POST", "/session/",
     [("Cookie", CKC), ("X-CSRFToken", "<CSRFSECRET>"), ("Origin", "http://evil.example")], group=G)
case("session_cookie_post_good_origin", "POST", "/session/",
     [("Cookie", CKC), ("X-CSRFToken", "<CSRFSECRET>"), ("Origin", f"http://{HOST}:{PORT}")], group=G)
case("session_cookie_default_post_with_basic", "POST", "/default/", [("Cookie", CK), (AUTH, BASIC_ADMIN)],
     group=G, note="the session wins over a valid Basic header, so CSRF applies")
case("session_cookie_default_get_with_basic", "GET", "/default/", [("Cookie", CK), (AUTH, BASIC_ADMIN)], group=G)
case("session_cookie_public_get", "GET", "/public/", [("Cookie", CK)], group=G)
case("session_cookie_basic_view", "GET", "/basic/", [("Cookie", CK)], group=G)
case("session_cookie_api_token_auth_post", "POST", "/api-token-auth/", [("Cookie", CK)],
     body='{"username":"alice","password":"alicepw"}', content_type=J, group=G)
case("session_bad_cookie_get", "GET", "/session/", [("Cookie", "sessionid=nonexistent")], group=G)

# --------------------------------------------------------------------------------------------
# 12. Throttling (run in this order on a fresh server; anonymous callers keyed by X-Forwarded-For)
# --------------------------------------------------------------------------------------------
G = "throttle"
XFF = "X-Forwarded-For"
for i in range(1, 5):
    case(f"throttle_anon_{i}", "GET", "/throttled/", [(XFF, "203.0.113.7")], group=G)
case("throttle_anon_other_ip", "GET", "/throttled/", [(XFF, "203.0.113.8")], group=G)
case("throttle_anon_throttled_options", "OPTIONS", "/throttled/", [(XFF, "203.0.113.7")], group=G)
case("throttle_anon_throttled_post", "POST", "/throttled/", [(XFF, "203.0.113.7")], group=G)
case("throttle_anon_wrong_token_when_spent", "GET", "/throttled/",
     [(XFF, "203.0.113.7"), (AUTH, "Token " + UNKNOWN_KEY)], group=G)
for i in range(1, 4):
    case(f"throttle_user_admin_token_{i}", "GET", "/throttled/", auth(TOKEN_ADMIN), group=G)
case("throttle_user_admin_post_405", "POST", "/throttled/", auth(TOKEN_ADMIN), group=G)
case("throttle_user_admin_options", "OPTIONS", "/throttled/", auth(TOKEN_ADMIN), group=G)
case("throttle_user_admin_token_6", "GET", "/throttled/", auth(TOKEN_ADMIN), group=G)
case("throttle_user_admin_basic_7", "GET", "/throttled/", auth(BASIC_ADMIN), group=G)
case("throttle_scoped_1", "GET", "/scoped/", [(XFF, "198.51.100.1")], group=G)
case("throttle_scoped_2", "GET", "/scoped/", [(XFF, "198.51.100.1")], group=G)
case("throttle_scoped_3", "GET", "/scoped/", [(XFF, "198.51.100.1")], group=G)
case("throttle_scoped_user_1", "GET", "/scoped/", auth("Bearer " + ADMIN_KEY) + [], group=G,
     note="Bearer is not a class of /scoped/: anonymous, keyed by peer address 127.0.0.1")
case("throttle_scoped_admin_token_1", "GET", "/scoped/", auth(TOKEN_ADMIN), group=G)
case("throttle_scoped_admin_token_2", "GET", "/scoped/", auth(TOKEN_ADMIN), group=G)
case("throttle_scoped_admin_token_3", "GET", "/scoped/", auth(TOKEN_ADMIN), group=G)


# --------------------------------------------------------------------------------------------
# Sending and recording
# --------------------------------------------------------------------------------------------
def to_bytes(v):
    if isinstance(v, bytes):
        return v
    for k, real in PLACEHOLDERS.items():
        v = v.replace(k, real)
    return v.encode("latin-1")


def send(c):
    lines = [f"{c['method']} {c['path']} HTTP/1.1".encode("latin-1"), f"Host: {HOST}:{PORT}".encode()]
    for name, value in c["headers"]:
        lines.append(name.encode("latin-1") + b": " + to_bytes(value))
    body = c["body"]
    if body is not None:
        if isinstance(body, str):
            for k, real in PLACEHOLDERS.items():
                body = body.replace(k, real)
            body = body.encode("utf-8")
    if c["content_type"] is not None:
        lines.append(b"Content-Type: " + c["content_type"].encode("latin-1"))
    if body is not None:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    lines.append(b"Connection: close")
    raw = b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")
    s = socket.create_connection((HOST, PORT), timeout=60)
    s.sendall(raw)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, rbody = data.partition(b"\r\n\r\n")
    hl = head.split(b"\r\n")
    status_line = hl[0].decode("latin-1")
    status = int(status_line.split(" ")[1])
    headers = []
    for line in hl[1:]:
        k, _, v = line.decode("latin-1").partition(":")
        headers.append((k.strip(), v.strip()))
    return status_line, status, headers, rbody


def jsonable_header_value(v):
    if isinstance(v, bytes):
        if all(0x20 <= b < 0x7F or b == 0x09 for b in v):
            return v.decode("ascii")
        return {"latin1_bytes_hex": v.hex()}
    return v


COOKIE_RE = re.compile(r"^(sessionid|csrftoken)=([^;]*)")
EXPIRES_RE = re.compile(r"expires=[^;]+")


def redact(text):
    for k, real in PLACEHOLDERS.items():
        if k in ("<KEY>", "<UNI_KEY>"):
            text = text.replace(real, k)
    return text


def main():
    out = open(OUT, "w", encoding="utf-8")
    t0 = time.time()
    seen_keys = {}
    for c in CASES:
        status_line, status, headers, rbody = send(c)
        text = rbody.decode("utf-8", errors="strict") if rbody else ""
        # capture generated values
        if c["name"] == "obtain_bob_creates_token":
            key = json.loads(text)["token"]
            assert re.fullmatch(r"[0-9a-f]{40}", key), key
            PLACEHOLDERS["<KEY>"] = key
        if c["name"] == "obtain_json_latin1_charset_user" and status == 200:
            PLACEHOLDERS["<UNI_KEY>"] = json.loads(text)["token"]
        if c["name"].startswith("obtain_bob") and status == 200 and c["path"] == P:
            seen_keys.setdefault("bob", set()).add(json.loads(text)["token"])
        if c["name"] == "session_login_ok":
            for k, v in headers:
                if k.lower() == "set-cookie":
                    m = COOKIE_RE.match(v)
                    if m.group(1) == "sessionid":
                        PLACEHOLDERS["<SESSIONID>"] = m.group(2)
                    else:
                        PLACEHOLDERS["<CSRFSECRET>"] = m.group(2)
        rh = {}
        all_headers = []
        set_cookies = []
        for k, v in headers:
            lk = k.lower()
            if lk == "set-cookie":
                m = COOKIE_RE.match(v)
                v2 = v
                if m and m.group(2) not in ("", '""'):
                    ph = "<SESSIONID>" if m.group(1) == "sessionid" else "<CSRFSECRET>"
                    v2 = f"{m.group(1)}={ph}" + v[m.end():]
                if "01 Jan 1970" not in v2:  # a deletion's expiry is fixed; keep it
                    v2 = EXPIRES_RE.sub("expires=<EXPIRES>", v2)
                set_cookies.append(v2)
                all_headers.append([k, v2])
                continue
            if lk == "date":
                all_headers.append([k, "<DATE>"])
                continue
            all_headers.append([k, redact(v)])
            if lk in RECORDED_HEADERS:
                assert lk not in rh, (c["name"], lk)
                rh[lk] = v
        if set_cookies:
            rh["set-cookie"] = set_cookies
        rec = {
            "name": c["name"],
            "group": c["group"],
            "method": c["method"],
            "path": c["path"],
            "headers": [[n, jsonable_header_value(v)] for n, v in c["headers"]],
        }
        body = c["body"]
        if isinstance(body, bytes):
            rec["body"] = None
            rec["body_b64"] = base64.b64encode(body).decode()
        else:
            rec["body"] = body
        rec["content_type"] = c["content_type"]
        rec["status"] = status
        rec["status_line"] = status_line
        rec["response_headers"] = rh
        rec["response_body"] = redact(text)
        rec["all_response_headers"] = all_headers
        if c["note"]:
            rec["note"] = c["note"]
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        print(f"{status} {c['name']}: {text[:100]!r}", flush=True)
    out.close()
    assert len(seen_keys.get("bob", ())) == 1, seen_keys
    print(f"{len(CASES)} cases in {time.time() - t0:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
