#!/usr/bin/env python3
"""Data for benches/lookup.sh, made through the API of a freshly started demo service.

    lookup_setup.py BASE_URL DEMO_ACCOUNTS_FILE SHARES_FILE

The citizen of the copy issued before the start (ID 079203001234) registers and signs in;
the demo clerk confirms the citizen's ID with the one-time code; the citizen shares the
copy for any agency 100 times (as many agencies' procedures would), the codes written to
SHARES_FILE one a line; the demo administrator makes an agency. Prints "API_KEY SHARE_CODE"
(the first share).
"""

import json
import re
import sys
import urllib.error
import urllib.request

BASE, ACCOUNTS, SHARES = sys.argv[1:4]
CITIZEN_ID = "079203001234"
PASSWORD = "Mat-khau-thu-nghiem-2026"


def call(method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        sys.exit(f"{method} {path}: {error.code} {error.read()[:300]!r}")
    return json.loads(raw) if raw else None


def login(name, password):
    answer = call("POST", "/api/v1/auth/login", {"login": name, "password": password})
    token = answer["token"]
    if answer.get("password_change_required"):
        call("POST", "/api/v1/me/password", {"current_password": password, "new_password": PASSWORD}, token)
        token = call("POST", "/api/v1/auth/login", {"login": name, "password": PASSWORD})["token"]
    return token


demo = dict(re.findall(r"login: (\S+)\s+password: (\S+)", open(ACCOUNTS).read()))
call("POST", "/api/v1/auth/register", {
    "full_name": "Nguyễn Văn An", "citizen_id": CITIZEN_ID, "phone": "0912345678", "password": PASSWORD,
})
citizen = login("0912345678", PASSWORD)
clerk = login("canbo.bennghe", demo["canbo.bennghe"])
code = call("POST", "/api/v1/me/identity/code", token=citizen)["code"]
call("POST", "/api/v1/desk/identity-confirmations", {"code": code, "citizen_id": CITIZEN_ID}, clerk)
copy = call("GET", "/api/v1/me/wallet", token=citizen)[0]["id"]
codes = [
    call("POST", f"/api/v1/me/wallet/{copy}/shares", {"purpose": f"Đo tải {n}", "days": 30}, citizen)["code"]
    for n in range(100)
]
open(SHARES, "w").write("\n".join(codes) + "\n")
share = codes[0]
admin = login("admin", demo["admin"])
key = call("POST", "/api/v1/admin/agencies", {"name": "Sở Giáo dục (đo tải)", "username": "so.giaoduc.bench"}, admin)["api_key"]
print(key, share)
