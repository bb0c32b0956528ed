#!/usr/bin/env python3
"""Send the same generated request bodies to DRF and to the conformance app; compare answers.

usage: diff_bodies.py DRF_HOST:PORT OURS_HOST:PORT [--count N] [--seed S] [--show K]

Both servers must run on copies of the same Django-made database (diff_bodies.sh starts
them). Every body goes, byte for byte and over raw sockets, to `POST /api-token-auth/` (DRF's
obtain_auth_token: the typed-body path) and to `POST /session-login/` (a DRF serializer with
two CharFields), with a Content-Type header chosen by the family (or none). The answers are
compared on status, body bytes, Content-Type, WWW-Authenticate and Allow (as a set). The run prints how
many bodies of each family it tried and every difference (the first K of each family in
full), and exits 1 when there is any.

Families:
  json       JSON documents: odd values for the two fields (numbers out of range, surrogates,
             NUL, nesting, booleans, lists), odd documents (NaN/Infinity literals, BOM,
             duplicate keys, trailing data, deep nesting, non-objects), charsets.
  form       application/x-www-form-urlencoded: escapes valid and not, `+`, `;`, repeated and
             empty names, bytes that are not UTF-8, charsets.
  multipart  multipart/form-data shapes: boundaries quoted, odd or missing, parts without the
             closing boundary, LF line ends, preambles and epilogues, files for fields, part
             charsets, truncated heads.
  ctype      Content-Type spellings (case, parameters, quoting, wildcards, vendor types, none)
             around well-formed bodies.
"""
import json
import random
import re
import socket
import sys
from collections import Counter, defaultdict

PATHS = ["/api-token-auth/", "/session-login/"]
COMPARED_HEADERS = ["content-type", "www-authenticate", "allow"]


def send(addr, path, content_type, body):
    host, port = addr.rsplit(":", 1)
    lines = [f"POST {path} HTTP/1.1".encode(), f"Host: {addr}".encode()]
    if content_type is not None:
        lines.append(b"Content-Type: " + content_type.encode("latin-1"))
    lines.append(b"Content-Length: " + str(len(body)).encode())
    lines.append(b"Connection: close")
    raw = b"\r\n".join(lines) + b"\r\n\r\n" + body
    s = socket.create_connection((host, int(port)), timeout=60)
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
    status = int(hl[0].split(b" ")[1])
    headers = {}
    for line in hl[1:]:
        k, _, v = line.decode("latin-1").partition(":")
        headers.setdefault(k.strip().lower(), v.strip())
    compared = {h: headers.get(h) for h in COMPARED_HEADERS}
    if compared["allow"] is not None:
        # A set: DRF builds it from one, so its order is the hash seed's.
        compared["allow"] = ", ".join(sorted(m.strip() for m in compared["allow"].split(",")))
    return status, compared, rbody


# ----------------------------------------------------------------------------------------
# Values and documents

USERS = ["alice", "bob", "nobody", "ünï"]
PASSWORDS = ["alicepw", "bobpw", "wrong", "ünïpw"]

# JSON texts of field values, written as they go into the document.
ODD_VALUES = [
    '""', '" "', '"  alice  "', '"\\t"', '"\\n"', '"\\u0000"', '"a\\u0000b"', '"\\ud800"',
    '"\\udfff"', '"x\\ud800y"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"', '"\\ud83d"',
    '"\\u00e9"', '"é"', '"\\u2028"', '"\\u00a0alice\\u00a0"', '"\\u3000"', '"\\ufeff"',
    "0", "-0", "5", "5.0", "-5.5", "1e3", "1E400", "1e999", "-1e999", "1e308", "2e308",
    "1e-400", "0.0000001", "12345678901234567890123", "-12345678901234567890123",
    "1.7976931348623157e308", "true", "false", "null", "[]", "[1]", '["alice"]', "{}",
    '{"a": 1}', '"' + "a" * 200 + '"', '"' + "é" * 151 + '"', '"' + " " * 3 + '"',
]
ODD_DOCUMENTS = [
    "{}", "[]", '"str"', "1", "1.5", "true", "false", "null", "NaN", "Infinity",
    "-Infinity", '{"username": NaN}', '{"username": Infinity, "password": "x"}',
    '{"username": -Infinity}', '{"username": "alice", "password": "alicepw"} x',
    '{"username": "alice",}', "{'username': 'alice'}", '{username: "alice"}',
    '{"username": "alice" "password": "x"}', '{"username": "alice", "username": "bob"}',
    '{"username": "x", "username": "alice", "password": "alicepw"}', "\ufeff{}",
    '\ufeff{"username": "alice", "password": "alicepw"}', " \n\t{} \n", "{", '{"a":',
    '{"username": "\\x41"}', '{"username": "\\u12"}', '{"username": "a\nb"}',
    '{"username": "a\tb"}', '{"username": 01}', '{"username": 1.}', '{"username": .5}',
    '{"username": +1}', '{"username": -}', "[" * 600 + "]" * 600,
    '{"a":' * 300 + "1" + "}" * 300, '{"username": ' + "[" * 200 + "]" * 200 + "}",
    '{"username": "alice", "password": "alicepw", "extra": ' + "[" * 100 + "]" * 100 + "}",
    "/* c */ {}", "{} // c", '{"": ""}', '{"username": {"username": "alice"}}',
]


def json_bodies(rng, n):
    out = []
    for doc in ODD_DOCUMENTS:
        out.append(("json", "application/json", doc.encode("utf-8", "surrogatepass")))
    while len(out) < n:
        fields = []
        for name, pool in (("username", USERS), ("password", PASSWORDS)):
            r = rng.random()
            if r < 0.15:
                continue  # missing
            if r < 0.35:
                fields.append((name, json.dumps(rng.choice(pool), ensure_ascii=rng.random() < 0.5)))
            else:
                fields.append((name, rng.choice(ODD_VALUES)))
        rng.shuffle(fields)
        doc = "{" + ", ".join(f'"{k}": {v}' for k, v in fields) + "}"
        charset = rng.choice(["", "", "", "", "; charset=utf-8", "; charset=UTF-8", "; charset=latin-1",
                              "; charset=iso-8859-1", "; charset=utf-16", "; charset=utf-16le",
                              "; charset=UTF-16BE", "; charset=utf-32", "; charset=ascii",
                              "; charset=cp1252", "; charset=koi8-r", "; charset=utf-8-sig",
                              '; charset="utf-16"', "; charset=bz2", "; charset=bogus"])
        body = doc.encode("utf-8", "surrogatepass")
        name = charset.partition("=")[2].strip('"')
        if name and name not in ("bz2", "bogus") and rng.random() < 0.6:
            body = doc.encode(name, "replace")
        if rng.random() < 0.05:
            body = body[: rng.randrange(1, max(2, len(body)))]  # truncated
        if rng.random() < 0.04:
            body = body.replace(b"a", b"\xff", 1)  # not UTF-8
        out.append(("json", "application/json" + charset, body))
    return out


FORM_VALUES = ["alice", "alicepw", "", "+", "%20", "a+b", "%C3%A9", "%E9", "%ZZ", "%", "%2",
               "%00", "a%00b", "%ED%A0%80", "%F0%9F%98%80", "%FF%FE", "%2B", "%26", "%3D",
               "%20alice%20", "ünï", "\xff", "a;b", "a=b", "bob"]


def form_bodies(rng, n):
    out = []
    fixed = [b"", b"&", b"=", b"==", b"username", b"username=", b"username&password",
             b"username=alice&password=alicepw", b"username=alice;password=alicepw",
             b"&&username=alice&&password=alicepw&&", b"username=alice&password=alicepw&username=bob",
             b"username=bob&username=alice&password=alicepw", b"=alice&password=alicepw",
             b"%75sername=alice&password=alicepw", b"user%6Eame=alice&pass%77ord=alicepw",
             b"username=al%69ce&password=alicepw", b"username=%61lice&password=alicepw%",
             b"username=alice&password=alicepw\r\n", b"username=alice\npassword=alicepw"]
    for body in fixed:
        out.append(("form", "application/x-www-form-urlencoded", body))
    while len(out) < n:
        parts = []
        for name in ("username", "password"):
            r = rng.random()
            if r < 0.12:
                continue
            pool = USERS if name == "username" else PASSWORDS
            value = rng.choice(pool) if r < 0.35 else rng.choice(FORM_VALUES)
            key = name if rng.random() < 0.9 else rng.choice([name.upper(), name + "%00", name + "+"])
            parts.append(f"{key}={value}")
            if rng.random() < 0.1:
                parts.append(f"{name}={rng.choice(FORM_VALUES)}")
        rng.shuffle(parts)
        sep = rng.choice(["&", "&", "&", ";", "&&"])
        body = sep.join(parts).encode("latin-1", "replace") if rng.random() < 0.2 else sep.join(parts).encode()
        charset = rng.choice(["", "", "", "; charset=utf-8", "; charset=latin-1", "; charset=bogus",
                              "; charset=cp1252", "; charset=koi8-r", "; charset=ascii", "; charset=hex"])
        out.append(("form", "application/x-www-form-urlencoded" + charset, body))
    return out


def part(name, value, nl="\r\n", filename=None, ctype=None, quote=True, extra=""):
    disp = f'form-data; name="{name}"' if quote else f"form-data; name={name}"
    if filename is not None:
        disp += f'; filename="{filename}"'
    head = f"Content-Disposition: {disp}{nl}"
    if ctype:
        head += f"Content-Type: {ctype}{nl}"
    head += extra
    return f"{head}{nl}{value}"


def multipart_bodies(rng, n):
    out = []
    while len(out) < n:
        boundary = rng.choice(["XyZ", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "a b", "x" * 70,
                               "x" * 71, "=_=", "'q'", "B"])
        nl = "\r\n" if rng.random() < 0.85 else "\n"
        fields = []
        for name, pool in (("username", USERS), ("password", PASSWORDS)):
            r = rng.random()
            if r < 0.12:
                continue
            value = rng.choice(pool) if r < 0.6 else rng.choice(["", " ", "  alice  ", "é", "\x00"])
            kind = rng.random()
            if kind < 0.08:
                fields.append(part(name, value, nl, filename="f.txt", ctype="text/plain"))
            elif kind < 0.14:
                fields.append(part(name, value, nl, ctype=rng.choice(
                    ["text/plain; charset=latin-1", "text/plain; charset=utf-8", "application/json"])))
            elif kind < 0.18:
                fields.append(part(name, value, nl, quote=False))
            elif kind < 0.21:
                fields.append(part(name, value, nl, extra=f"Content-Transfer-Encoding: base64{nl}"))
            else:
                fields.append(part(name, value, nl))
        if rng.random() < 0.05:
            fields.append(f"X-Nothing: here{nl}{nl}orphan")  # a part without a disposition
        rng.shuffle(fields)
        body = ""
        if rng.random() < 0.08:
            body += f"preamble{nl}"
        for f in fields:
            body += f"--{boundary}{nl}{f}{nl}"
        ending = rng.random()
        if ending < 0.7:
            body += f"--{boundary}--{nl}"
        elif ending < 0.8:
            body += f"--{boundary}--"
        elif ending < 0.85:
            body += f"--{boundary}--{nl}epilogue{nl}"
        elif ending < 0.9:
            body = body[: rng.randrange(1, max(2, len(body)))]  # cut anywhere
        # else: no closing boundary at all
        param = rng.random()
        if param < 0.7:
            ct = f"multipart/form-data; boundary={boundary}" if " " not in boundary else f'multipart/form-data; boundary="{boundary}"'
        elif param < 0.8:
            ct = f'multipart/form-data; boundary="{boundary}"'
        elif param < 0.85:
            ct = f"Multipart/Form-Data; BOUNDARY={boundary}"
        elif param < 0.9:
            ct = "multipart/form-data"
        elif param < 0.95:
            ct = f"multipart/form-data; boundary={boundary}; charset=" + rng.choice(
                ["utf-8", "latin-1", "ascii", "koi8-r", "bz2", "bogus"])
        else:
            ct = "multipart/form-data; boundary="
        out.append(("multipart", ct, body.encode("utf-8")))
    return out


def ctype_bodies(rng, n):
    good_json = b'{"username": "alice", "password": "wrong"}'
    good_form = b"username=alice&password=wrong"
    spellings = [
        (None, good_json), (None, good_form), (None, b"\xff\xfe"), ("", good_json),
        ("application/json", good_json), ("Application/JSON", good_json),
        ("APPLICATION/JSON; CHARSET=UTF-8", good_json), ("application/json ; charset=utf-8", good_json),
        ('application/json; charset="utf-8"', good_json), ("application/json;charset=utf-8", good_json),
        ("application/json; q=0.5", good_json), ("application/json; foo=bar", good_json),
        ("application/json, text/plain", good_json), ("application/json;", good_json),
        ("application/vnd.api+json", good_json), ("application/problem+json", good_json),
        ("text/json", good_json), ("application/*", good_json), ("*/*", good_json),
        ("application", good_json), ("json", good_json), (" application/json", good_json),
        ("application/json\t", good_json), ("application /json", good_json),
        ("application/ json", good_json), ("application/x-www-form-urlencoded", good_form),
        ("Application/X-WWW-Form-URLEncoded", good_form),
        ("application/x-www-form-urlencoded; charset=ISO-8859-1", good_form),
        ("application/x-www-form-urlencoded;charset=utf-8", good_form),
        ("application/x-www-form-urlencoded", good_json), ("application/json", good_form),
        ("text/plain", good_json), ("text/plain; charset=utf-8", good_form),
        ("text/html", good_form), ("application/xml", b"<a/>"), ("multipart/mixed; boundary=X", good_form),
        ("multipart/form-data; boundary=X", good_form), ("application/octet-stream", b"\x00\x01"),
        ("application/json; charset=latin-1", '{"username": "ünï", "password": "ünïpw"}'.encode("latin-1")),
        ("application/json; charset=latin-1", '{"username": "ünï", "password": "ünïpw"}'.encode()),
        ("application/json; charset=utf-8", '{"username": "ünï", "password": "ünïpw"}'.encode("latin-1")),
        ("application/x-www-form-urlencoded; charset=latin-1", "username=ünï&password=ünïpw".encode("latin-1")),
        ("application/x-www-form-urlencoded", "username=ünï&password=ünïpw".encode("latin-1")),
        ("application/x-www-form-urlencoded", "username=%FCn%EF&password=%FCn%EFpw".encode()),
        ("application/x-www-form-urlencoded; charset=latin-1", b"username=%FCn%EF&password=%FCn%EFpw"),
        ("application/json", b'{"username": "alice", "password": "alicepw"}'),
        ("application/json", b'{"username": " alice ", "password": "alicepw"}'),
        ("application/json", b'{"username": "alice", "password": " alicepw "}'),
        ("application/json", b'{"username": "ALICE", "password": "alicepw"}'),
    ]
    out = [("ctype", ct, body) for ct, body in spellings]
    while len(out) < n:
        ct, body = rng.choice(spellings)
        if ct:
            ct = "".join(c.upper() if rng.random() < 0.3 else c for c in ct)
        out.append(("ctype", ct, body))
    return out


TOKEN = re.compile(rb'"token":"[0-9a-f]{40}"')


def normalized(answer):
    """A generated token (bob has none until he logs in) is random on each server."""
    status, headers, body = answer
    return status, headers, TOKEN.sub(b'"token":"<KEY>"', body)


def main():
    args = sys.argv[1:]
    drf, ours = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    count = int(opts.get("--count", "1600"))
    rng = random.Random(int(opts.get("--seed", "14")))
    show = int(opts.get("--show", "5"))
    per = count // 4
    bodies = (json_bodies(rng, per) + form_bodies(rng, per) + multipart_bodies(rng, per)
              + ctype_bodies(rng, count - 3 * per))
    tried = Counter()
    differing = defaultdict(list)
    for family, ct, body in bodies:
        for path in PATHS:
            tried[family] += 1
            a = normalized(send(drf, path, ct, body))
            b = normalized(send(ours, path, ct, body))
            if a != b:
                differing[family].append((path, ct, body, a, b))
    total = sum(tried.values())
    ndiff = sum(len(v) for v in differing.values())
    print(f"{len(bodies)} bodies, {total} requests to each server, {ndiff} answers differ")
    for family in tried:
        print(f"  {family}: {tried[family]} requests, {len(differing[family])} differ")
    for family, diffs in differing.items():
        print(f"\n== {family}")
        for path, ct, body, a, b in diffs[:show]:
            print(f"POST {path}  Content-Type: {ct!r}\n  body: {body[:300]!r}")
            print(f"  DRF : {a[0]} {a[1]} {a[2][:300]!r}")
            print(f"  ours: {b[0]} {b[1]} {b[2][:300]!r}")
    sys.exit(1 if ndiff else 0)


if __name__ == "__main__":
    main()
