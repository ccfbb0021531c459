"""A receiving agency's pages in Debian's Chromium through Playwright, at 360 px wide.

Usage: agency.py BASE_URL ADMIN PASSWORD AGENCY_ID COPY_CODE SHARE_CODE COPY_PDF SCREENSHOT_DIR

An admin adds a member of staff to the agency (the temporary password shown once); the
member signs in with it, is sent to change it, lands on the agency's dossiers, opens one
(an empty form first: the error summary links to each field), attaches the copy by its
lookup code, then by the citizen's share code and as an uploaded PDF (the same file: one
document), and verifies the dossier again. On the way: axe-core on every page (no serious
or critical violation), a screenshot of every step, no console error and no failed
request except the refusal asked for, no horizontal scroll at 360 px; the dossier also at
desktop width.

Prints one line per check and exits non-zero on the first failure.
"""
import sys

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

BASE, ADMIN, PASSWORD, AGENCY, CODE, SHARE, PDF, SHOTS = sys.argv[1:9]
CHROMIUM = "/usr/bin/chromium"
WIDTH = 360
NEW_PASSWORD = "Ho-so-tuyen-sinh-2026"

problems = []
step_no = [0]


def check(condition, what):
    if not condition:
        print(f"FAIL: {what}", flush=True)
        sys.exit(1)
    print(f"ok: {what}", flush=True)


def watch(page, who):
    page.on("console", lambda m: m.type == "error" and problems.append(f"{who} console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"{who} page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"{who} request failed: {r.url}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and problems.append(f"{who} answer {r.status}: {r.url}"),
    )


def refused_as_asked(status):
    asked = [p for p in problems if f"answer {status}:" in p]
    check(len(asked) == 1, f"the page answered {status} ({problems})")
    noted = [p for p in problems if f"status of {status}" in p]
    for seen in asked + noted[:1]:
        problems.remove(seen)


def step(page, name, width=WIDTH):
    step_no[0] += 1
    check(not problems, f"{name}: no console error or failed request {problems}")
    result = Axe().run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    others = [v["id"] for v in result.response["violations"] if v["impact"] not in ("serious", "critical")]
    check(not bad, f"{name}: no serious or critical axe violation {bad} (minor: {others})")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    check(scroll <= width, f"{name}: no horizontal scroll ({scroll} <= {width})")
    page.screenshot(path=f"{SHOTS}/{step_no[0]:02d}-{name}.png", full_page=True)


def submit(page, form):
    """Sends the form whose `action` ends with `form` with its submit button."""
    with page.expect_navigation():
        page.click(f'form[action$="{form}"] button[type=submit]')


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    viewport = {"width": WIDTH, "height": 780}

    # --- the admin adds a member of the agency's staff ---------------------------------
    admin = browser.new_context(viewport=viewport, locale="vi-VN").new_page()
    watch(admin, "admin")
    admin.goto(f"{BASE}/login")
    admin.fill("#login", ADMIN)
    admin.fill("#password", PASSWORD)
    with admin.expect_navigation():
        admin.click("main button[type=submit]")
    admin.goto(f"{BASE}/admin/agencies/{AGENCY}")
    step(admin, "agency-for-the-admin")
    admin.fill("#full_name", "Trần Thị Bình")
    admin.fill("#username", "binh.leloi")
    submit(admin, "/staff")
    temporary = admin.inner_text("#secret").strip()
    check(len(temporary) >= 12, "the temporary password is shown once")
    step(admin, "staff-created")

    # --- the member signs in, changes the password, keeps a dossier ----------------------
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    staff = context.new_page()
    watch(staff, "staff")
    staff.goto(f"{BASE}/login")
    staff.fill("#login", "binh.leloi")
    staff.fill("#password", temporary)
    with staff.expect_navigation():
        staff.click("main button[type=submit]")
    check("/account/password" in staff.url, f"a temporary password leads to the change ({staff.url})")
    staff.fill("#current_password", temporary)
    staff.fill("#new_password", NEW_PASSWORD)
    with staff.expect_navigation():
        staff.click("main button[type=submit]")
    check(staff.url.endswith("/agency"), f"the member lands on the dossiers ({staff.url})")
    check(staff.locator("nav.site a[href='/agency']").count() == 1, "the menu leads to the dossiers")
    step(staff, "dossiers-empty")

    submit(staff, "/agency/dossiers")
    refused_as_asked(422)
    links = staff.locator(".error-summary a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    check(set(links) == {"#reference", "#procedure", "#applicant_name"} or "#reference" in links,
          f"the summary links to the fields ({links})")
    step(staff, "dossier-form-errors")
    staff.fill("#reference", "TS10-2026-0001")
    staff.fill("#procedure", "Tuyển sinh lớp 10")
    staff.fill("#applicant_name", "Nguyễn Văn An")
    submit(staff, "/agency/dossiers")
    check("/agency/dossiers/" in staff.url, "the new dossier opens")
    step(staff, "dossier-opened")

    staff.check("#kind-verification")
    staff.fill("#code", CODE)
    submit(staff, "/documents")
    check("done=attached" in staff.url, "attached by the lookup code")
    check(staff.locator("td", has_text="Có trong sổ").count() == 1, "the register knows the copy")
    step(staff, "attached-by-code")

    staff.check("#kind-share")
    staff.fill("#code", SHARE)
    submit(staff, "/documents")
    check("done=already" in staff.url, "the shared copy is the same file")
    staff.set_input_files("#file", PDF)
    submit(staff, "/upload")
    check("done=already" in staff.url, "the uploaded copy is the same file")
    check(staff.locator("tbody tr").count() == 1, "one document in the dossier")
    submit(staff, "/reverify")
    check("done=reverified" in staff.url, "verified again")
    step(staff, "reverified")
    staff.set_viewport_size({"width": 1280, "height": 900})
    step(staff, "dossier-desktop", width=1280)
    staff.goto(f"{BASE}/agency")
    check(staff.locator("a", has_text="TS10-2026-0001").count() == 1, "the list shows the dossier")
    step(staff, "dossiers-desktop", width=1280)

    browser.close()

check(not problems, f"no console error or failed request {problems}")
print("all agency checks passed")
