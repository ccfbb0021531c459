#!/usr/bin/env python3
"""Checks the service's OpenAPI document against the running service.

    check.py BASE_URL AGENCY_KEY OFFICE_ID COPY_CODE SHARE_CODE COPY_PDF WORK_DIR

1. openapi-spec-validator (an independent implementation of the OpenAPI 3.1 rules)
   accepts the document served at /api/v1/openapi.json.
2. Every operation is called with real data (the copy, its share code, a dossier), and
   each answer's status, content type and body match what the document says of it.
3. schemathesis generates requests from the document alone (examples, coverage and
   fuzzing phases, valid and invalid data, the agency's key on every request) and checks
   that no answer is a 5xx and every answer is one the document describes.

Prints "all API checks passed" at the end; exits non-zero on the first failure.
"""

import json
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import jsonschema
from openapi_spec_validator import validate

BASE, KEY, OFFICE, CODE, SHARE, PDF, WORK = sys.argv[1:8]


def fetch(method, path, body=None, content_type=None, key=True):
    headers = {"Accept-Language": "vi"}
    if content_type:
        headers["Content-Type"] = content_type
    if key:
        headers["X-Api-Key"] = KEY
    request = urllib.request.Request(BASE + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def multipart(pdf_bytes):
    boundary = "certcopy-api-check-" + uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"copy.pdf\"\r\n"
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + pdf_bytes + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


status, _, raw = fetch("GET", "/api/v1/openapi.json", key=False)
assert status == 200, status
document = json.loads(raw)
validate(document)
print("openapi-spec-validator: the document is valid OpenAPI", document["openapi"])


def resolve(node):
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/components/responses/"):
        node = document["components"]["responses"][node["$ref"].rsplit("/", 1)[1]]
    return node


def expect(method, template, path, wanted, body=None, content_type=None, key=True):
    """Calls one operation and checks the answer against the document."""
    status, answer_type, raw = fetch(method, path, body, content_type, key)
    label = f"{method} {path} -> {status}"
    assert status == wanted, f"{label}, expected {wanted}: {raw[:400]!r}"
    responses = document["paths"][template][method.lower()]["responses"]
    response = resolve(responses.get(str(status)) or responses.get(f"{str(status)[0]}XX"))
    assert response is not None, f"{label}: status not in the document"
    media = answer_type.split(";")[0].strip()
    content = response.get("content", {})
    assert media in content, f"{label}: {media} not among {list(content)}"
    schema = content[media].get("schema")
    if media == "application/json":
        value = json.loads(raw)
        wrapped = dict(schema, components=document["components"])
        jsonschema.Draft202012Validator(wrapped).validate(value)
        print(f"{label}: matches the document")
        return value
    print(f"{label}: {media}, {len(raw)} bytes")
    return raw


pdf = open(PDF, "rb").read()

expect("GET", "/api/v1/health", "/api/v1/health", 200, key=False)
expect("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", 200, key=False)
found = expect("GET", "/api/v1/offices", "/api/v1/offices?name=%C4%90%E1%BA%B7c", 200, key=False)
assert any(office["id"] == OFFICE for office in found), found
expect("GET", "/api/v1/offices/{office_id}/slots", f"/api/v1/offices/{OFFICE}/slots", 200, key=False)
expect("GET", "/api/v1/offices/{office_id}/slots", f"/api/v1/offices/{OFFICE}/slots?from=2026-13-40", 422, key=False)
status = expect("GET", "/api/v1/copies/by-code/{code}", f"/api/v1/copies/by-code/{CODE}", 200, key=False)
assert status["status"] == "valid", status
expect("GET", "/api/v1/copies/by-code/{code}", "/api/v1/copies/by-code/0000-0000", 404, key=False)

body, multipart_type = multipart(pdf)
report = expect("POST", "/api/v1/verifications", "/api/v1/verifications", 200, body, multipart_type, key=False)
assert report["verdict"] == "TOTAL_PASSED" and report["register"]["status"] == "FOUND", report
report = expect("POST", "/api/v1/verifications", "/api/v1/verifications", 200, pdf, "application/pdf")
assert report["verdict"] == "TOTAL_PASSED", report
refused = expect("POST", "/api/v1/verifications", "/api/v1/verifications", 422, b"%PDF-1.7\nnot really", "application/pdf")
assert refused["error"]["code"] == "truncated_pdf", refused

new = json.dumps({"reference": "OA-1", "procedure": "Tuyển sinh lớp 10", "applicant_name": "Nguyễn Văn An"}).encode()
dossier = expect("POST", "/api/v1/dossiers", "/api/v1/dossiers", 201, new, "application/json")
expect("POST", "/api/v1/dossiers", "/api/v1/dossiers", 409, new, "application/json")
expect("POST", "/api/v1/dossiers", "/api/v1/dossiers", 401, new, "application/json", key=False)
expect("GET", "/api/v1/dossiers", "/api/v1/dossiers", 200)
one = f"/api/v1/dossiers/{dossier['id']}"
expect("GET", "/api/v1/dossiers/{id}", one, 200)
expect("GET", "/api/v1/dossiers/{id}", f"/api/v1/dossiers/{uuid.uuid4()}", 404)
documents = "/api/v1/dossiers/{id}/documents"
by_code = json.dumps({"verification_code": CODE}).encode()
view = expect("POST", documents, one + "/documents", 201, by_code, "application/json")
assert view["documents"][0]["register_status"] == "FOUND", view
expect("POST", documents, one + "/documents", 200, body, multipart_type)
expect("POST", documents, one + "/documents", 422, b"{}", "application/json")
expect("POST", "/api/v1/dossiers/{id}/reverify", one + "/reverify", 200)

hook = json.dumps({"url": "https://hoso.example.gov.vn/notices"}).encode()
answer = expect("PUT", "/api/v1/agency/webhook", "/api/v1/agency/webhook", 200, hook, "application/json")
assert answer["secret"].startswith("whsec_"), answer
expect("PUT", "/api/v1/agency/webhook", "/api/v1/agency/webhook", 422, b'{"url": "ftp://x"}', "application/json")

code = json.dumps({"code": SHARE}).encode()
redeemed = expect("POST", "/api/v1/shares/redeem", "/api/v1/shares/redeem", 200, code, "application/json")
assert redeemed["share"]["purpose"] == "Tuyển sinh lớp 10" and redeemed["verification"]["verdict"] == "TOTAL_PASSED", redeemed
shared = expect("POST", "/api/v1/shares/pdf", "/api/v1/shares/pdf", 200, code, "application/json")
assert shared == pdf, "the shared PDF is the copy"
expect("POST", "/api/v1/shares/redeem", "/api/v1/shares/redeem", 404, b'{"code": "nope"}', "application/json")
expect("POST", "/api/v1/shares/redeem", "/api/v1/shares/redeem", 415, code, "text/plain")
# The register log: the copy's inclusion bundle, checked here independently of the
# service's code (RFC 9162 §2.1.3.2 and Ed25519 with the `cryptography` package).
import base64
import hashlib
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

key = expect("GET", "/api/v1/log/key", "/api/v1/log/key", 200, key=False)
bundle = expect("GET", "/api/v1/log/proof/{code}", f"/api/v1/log/proof/{CODE}", 200, key=False)
expect("GET", "/api/v1/log/proof/{code}", "/api/v1/log/proof/0000-0000", 404, key=False)
head = bundle["tree_head"]
message = "certcopy tree head v1\n" + "".join(
    f"{head[field]}\n" for field in ("tree_size", "root_hash", "audit_size", "audit_head", "signed_at")
)
Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"])).verify(
    base64.b64decode(head["signature"]), message.encode()
)


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def included(index, size, leaf, path, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


events = []
for leaf in bundle["leaves"]:
    leaf_hash = hashlib.sha256(b"\x00" + leaf["leaf"].encode()).digest()
    path = [bytes.fromhex(h) for h in leaf["audit_path"]]
    assert included(leaf["leaf_index"], head["tree_size"], leaf_hash, path, bytes.fromhex(head["root_hash"])), leaf
    events.append(json.loads(leaf["leaf"])["event"])
assert events == ["register.allocate", "copy.issue"], events
latest = expect("GET", "/api/v1/log/tree-head", "/api/v1/log/tree-head", 200, key=False)
size = latest["tree_size"]
same = expect("GET", "/api/v1/log/consistency", f"/api/v1/log/consistency?first={size}&second={size}", 200, key=False)
assert same["proof"] == [], same
expect("GET", "/api/v1/log/consistency", "/api/v1/log/consistency?first=0&second=1", 400, key=False)
print("the copy's register events are in the signed log (checked with hashlib and cryptography)")

# The time-stamping authority: a request made by OpenSSL, the answer checked by OpenSSL.
import subprocess
import tempfile
with tempfile.TemporaryDirectory() as tsa_dir:
    open(f"{tsa_dir}/data", "wb").write(pdf)
    subprocess.run(["openssl", "ts", "-query", "-data", f"{tsa_dir}/data", "-sha256", "-cert", "-out", f"{tsa_dir}/q.tsq"], check=True)
    reply = expect("POST", "/api/v1/timestamp", "/api/v1/timestamp", 200, open(f"{tsa_dir}/q.tsq", "rb").read(), "application/timestamp-query", key=False)
    open(f"{tsa_dir}/r.tsr", "wb").write(reply)
    checked = subprocess.run(["openssl", "ts", "-reply", "-in", f"{tsa_dir}/r.tsr", "-text"], capture_output=True, text=True, check=True)
    assert "Status: Granted." in checked.stdout, checked.stdout
print("the time-stamping authority answered as RFC 3161 says")

print("every operation answered as the document says")

# Real identifiers, so that generated requests reach the handlers' logic and not only 404.
config = f"""
[parameters]
"path.office_id" = "{OFFICE}"
"path.code" = "{CODE}"
"path.id" = "{dossier['id']}"
"body.code" = "{SHARE}"
"""
config_path = f"{WORK}/schemathesis.toml"
import os
os.makedirs(WORK, exist_ok=True)
open(config_path, "w").write(config)
command = [
    "schemathesis", "--config-file", config_path, "run", f"{BASE}/api/v1/openapi.json",
    "--header", f"X-Api-Key: {KEY}",
    "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
    "--phases", "examples,coverage,fuzzing",
    "--max-examples", "40",
    "--seed", "20261128",
    "--workers", "2",
    "--generation-database", "none",
    "--request-timeout", "30",
    "--suppress-health-check", "all",
    "--report", "junit",
    "--report-dir", WORK,
    "--no-color",
]
# Run in the work folder: schemathesis keeps a cache folder where it runs.
hooks_env = dict(os.environ, SCHEMATHESIS_HOOKS="hooks", PYTHONPATH=os.path.dirname(os.path.abspath(__file__)))
result = subprocess.run(command, capture_output=True, text=True, cwd=WORK, env=hooks_env)
print(result.stdout[-6000:])
print(result.stderr[-3000:])
assert result.returncode == 0, f"schemathesis failed (exit {result.returncode})"
print("all API checks passed")
