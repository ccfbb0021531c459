"""The administrator's pages in Debian's Chromium through Playwright, at 360 px wide.

Usage: admin.py BASE_URL ADMIN SECOND_ADMIN PASSWORD SCREENSHOT_DIR

An admin signs in and lands on the overview; opens an office; edits its calendar (a
bad value first: the page answers 422 with the error at the field and in the summary,
focusable; then a good one, saved); adds a closed day; creates an official (the
temporary password shown once, the request for signing power pending); cannot approve
their own request (the page says why), while a second admin can; reads the audit log
filtered by action; on the way, the official's account page and a receiving agency
with its API key (shown once). On the way: axe-core on every page (no serious or critical
violation), a screenshot of every step, no console error and no failed request except
the refusals asked for, no horizontal scroll at 360 px; the overview and the audit log
also at desktop width.

Prints one line per check and exits non-zero on the first failure.
"""
import sys

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

BASE, ADMIN, SECOND, PASSWORD, SHOTS = sys.argv[1:6]
CHROMIUM = "/usr/bin/chromium"
WIDTH = 360

problems = []
step_no = [0]


def check(condition, what):
    if not condition:
        print(f"FAIL: {what}", flush=True)
        sys.exit(1)
    print(f"ok: {what}", flush=True)


def watch(page, who):
    """Records console errors, uncaught exceptions and failed requests of a page."""
    page.on("console", lambda m: m.type == "error" and problems.append(f"{who} console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"{who} page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"{who} request failed: {r.url}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and problems.append(f"{who} answer {r.status}: {r.url}"),
    )


def refused_as_asked(status):
    """The one answer `status` just asked for (and the console's note of it) is no
    problem; anything else still is."""
    asked = [p for p in problems if f"answer {status}:" in p]
    check(len(asked) == 1, f"the page answered {status} ({problems})")
    noted = [p for p in problems if f"console: Failed to load resource: the server responded with a status of {status}" in p]
    for seen in asked + noted[:1]:
        problems.remove(seen)


def step(page, name, width=WIDTH):
    """Checks the page (axe, no horizontal scroll, nothing went wrong so far) and keeps a
    screenshot named after the step."""
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


def sign_in(page, login):
    page.goto(f"{BASE}/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def submit(page, form):
    """Sends the form whose `action` ends with `form` with its submit button."""
    with page.expect_navigation():
        page.click(f'form[action$="{form}"] button[type=submit]')


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    viewport = {"width": WIDTH, "height": 780}

    # --- sign in: the overview ----------------------------------------------------------
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    admin = context.new_page()
    watch(admin, "admin")
    sign_in(admin, ADMIN)
    check(admin.url.endswith("/admin"), f"an admin lands on the overview ({admin.url})")
    check(admin.is_visible('nav.site a[href="/admin/audit"]'), "the admin's menu")
    step(admin, "overview")

    # --- an office: its calendar ---------------------------------------------------------
    with admin.expect_navigation():
        admin.click('table a[href^="/admin/offices/"] >> nth=0')
    office_path = admin.url.split(BASE, 1)[1]
    step(admin, "office")
    admin.fill("#counters", "0")
    submit(admin, "/calendar")
    refused_as_asked(422)
    check(admin.is_visible(".error-summary"), "calendar: the error summary")
    check(admin.is_visible("#counters-error"), "calendar: the error at the field")
    check(admin.input_value("#counters") == "0", "calendar: what was typed is kept")
    admin.click('.error-summary a[href="#counters"]')
    check(admin.evaluate("location.hash") == "#counters", "the summary leads to the field")
    step(admin, "calendar-error")
    admin.fill("#counters", "3")
    admin.fill("#hours_saturday", "07:30-11:30")
    submit(admin, "/calendar")
    check("done=calendar-saved" in admin.url, f"calendar saved ({admin.url})")
    check(admin.input_value("#counters") == "3", "the saved counters")
    check(admin.input_value("#hours_saturday") == "07:30-11:30", "the saved Saturday")
    step(admin, "calendar-saved")

    # --- a closed day ---------------------------------------------------------------------
    admin.fill("#closure_date", "15/10/2026")
    admin.fill("#closure_reason", "Tập huấn nghiệp vụ")
    submit(admin, "/closures")
    check("15/10/2026" in admin.inner_text("#closures-title ~ div"), "the closed day is listed")
    step(admin, "closure-added")

    # --- staff: an official, the temporary password once -----------------------------------
    with admin.expect_navigation():
        admin.click('a[href^="/admin/staff?office="]')
    step(admin, "staff")
    admin.check("#role-official")
    admin.fill("#username", "lanhdao.trinh")
    admin.fill("#full_name", "Trịnh Văn Lãnh")
    admin.fill("#position", "Phó Chủ tịch UBND phường")
    submit(admin, "/admin/staff")
    password = admin.inner_text("#secret").strip()
    check(len(password) >= 14, "the temporary password is shown")
    step(admin, "staff-created")
    admin.goto(f"{BASE}/admin/staff")
    check(password not in admin.content(), "the password is shown only once")
    check(admin.is_visible('form[action$="/approve"] button'), "the request waits")
    step(admin, "grant-pending")

    # The requester's own approval is refused, and the page says why.
    submit(admin, "/approve")
    refused_as_asked(403)
    check("cần người thứ hai" in admin.inner_text(".error-summary"), "a second person must approve")
    step(admin, "own-approval-refused")

    # A second admin approves.
    second_context = browser.new_context(viewport=viewport, locale="vi-VN")
    second = second_context.new_page()
    watch(second, "second admin")
    sign_in(second, SECOND)
    second.goto(f"{BASE}/admin/staff")
    submit(second, "/approve")
    check("done=grant-approved" in second.url, f"approved by the second admin ({second.url})")
    step(second, "grant-approved")

    # --- the official's account page --------------------------------------------------------
    admin.goto(f"{BASE}/admin/staff")
    with admin.expect_navigation():
        admin.click('table a:has-text("Trịnh Văn Lãnh")')
    check("Người ký chứng thực" in admin.inner_text("main dl"), "the account is an official now")
    step(admin, "account")

    # --- an agency and its key -----------------------------------------------------------------
    with admin.expect_navigation():
        admin.click('nav.site a[href="/admin/agencies"]')
    step(admin, "agencies")
    admin.fill("#agency_name", "Sở Giáo dục và Đào tạo Hà Nội")
    admin.fill("#username", "so.giaoduc.hanoi")
    admin.fill("#key_label", "Cổng tuyển sinh")
    submit(admin, "/admin/agencies")
    key = admin.inner_text("#secret").strip()
    check(key.startswith("cc_live_"), "the API key is shown once")
    step(admin, "agency-key")
    with admin.expect_navigation():
        admin.click("main p a >> nth=0")
    check(key not in admin.content() and key[:12] in admin.content(), "only the key's prefix is listed")
    step(admin, "agency")

    # --- the audit log, filtered ---------------------------------------------------------------
    with admin.expect_navigation():
        admin.click('nav.site a[href="/admin/audit"]')
    step(admin, "audit")
    admin.fill("#action", "calendar")
    with admin.expect_navigation():
        admin.click('form[action="/admin/audit"] button[type=submit]')
    rows = admin.inner_text("table.list tbody")
    check("calendar.update" in rows and "office.create" not in rows, "the log filtered by action")
    step(admin, "audit-filtered")

    # --- the same at desktop width ---------------------------------------------------------------
    admin.set_viewport_size({"width": 1280, "height": 900})
    step(admin, "audit-filtered-desktop", width=1280)
    admin.goto(f"{BASE}{office_path}?lang=en")
    check(admin.inner_text("#calendar-title") == "Working calendar and booking", "in English")
    step(admin, "office-desktop-english", width=1280)

    browser.close()
print("all admin checks passed")
