"""The official's register book and the manage link in Debian's Chromium through
Playwright, at 360 px wide (phone).

Usage: register.py BASE_URL OFFICIAL PASSWORD MANAGE_PATH SCREENSHOT_DIR

The official signs in, opens the register from the menu, searches it by a name typed
without marks, opens a line, tries to annul it without a reason (the error at the field,
the summary leading there), annuls it with one, and opens the copy's public page, which
says annulled; downloads this month's sealed PDF and CSV, and reads the statistics. A
citizen with JavaScript turned off opens the manage link, moves the appointment to
another day and time with the forms, and cancels it. On the way: axe-core on every page
(no serious or critical violation), a screenshot of every step, no horizontal scroll, and
no console error, failed request or error answer except the one refusal asked for.

Prints one line per check and exits non-zero on the first failure.
"""
import re
import sys

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

BASE, OFFICIAL, PASSWORD, MANAGE, SHOTS = sys.argv[1:6]
CHROMIUM = "/usr/bin/chromium"
WIDTH = 360
REASON = "Cấp nhầm người yêu cầu (thử)"

problems = []
expected = set()  # error statuses a step asks for on purpose
step_no = [0]


def check(condition, what):
    if not condition:
        print(f"FAIL: {what}", flush=True)
        sys.exit(1)
    print(f"ok: {what}", flush=True)


def watch(page, who):
    """Records console errors, uncaught exceptions, failed requests and error answers of a
    page (but for the statuses in `expected`)."""

    def console(message):
        if message.type != "error":
            return
        if any(f"status of {status}" in message.text for status in expected):
            return
        problems.append(f"{who} console: {message.text}")

    def response(answer):
        if answer.status >= 400 and answer.status not in expected:
            problems.append(f"{who} answer {answer.status}: {answer.url}")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(f"{who} page error: {e}"))
    def failed(request):
        # A form sending to a download: the navigation turns into the download and is
        # reported aborted.
        if request.failure == "net::ERR_ABORTED" and "/register/export?" in request.url:
            return
        problems.append(f"{who} request failed: {request.url} ({request.failure})")

    page.on("requestfailed", failed)
    page.on("response", response)


def step(page, name, inspector=None):
    """Checks the page (axe, no horizontal scroll, nothing went wrong so far) and keeps a
    screenshot named after the step. axe-core needs JavaScript: for a page shown with
    JavaScript off, it checks the same address opened in `inspector` (a page with
    JavaScript on; these pages have no script, so the document is the same)."""
    step_no[0] += 1
    check(not problems, f"{name}: no console error or failed request {problems}")
    if inspector is not None:
        inspector.goto(page.url)
    result = Axe().run(inspector or page)
    bad = [
        (v["id"], v["impact"])
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    others = [v["id"] for v in result.response["violations"] if v["impact"] not in ("serious", "critical")]
    check(not bad, f"{name}: no serious or critical axe violation {bad} (minor: {others})")
    width = page.evaluate("document.documentElement.scrollWidth")
    check(width <= WIDTH, f"{name}: no horizontal scroll ({width} <= {WIDTH})")
    page.screenshot(path=f"{SHOTS}/{step_no[0]:02d}-{name}.png", full_page=True)


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    viewport = {"width": WIDTH, "height": 780}

    # --- the official: the register, a search, a line ------------------------------------
    context = browser.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True)
    official = context.new_page()
    watch(official, "official")
    official.goto(f"{BASE}/login")
    step(official, "sign-in")
    official.fill("#login", OFFICIAL)
    official.fill("#password", PASSWORD)
    with official.expect_navigation():
        official.click("main button[type=submit]")
    check(official.url.endswith("/review"), f"the official lands on the queue ({official.url})")
    with official.expect_navigation():
        official.click('nav.site a[href="/register-book"]')
    book = official.inner_text("main")
    check("Nguyễn Văn An" in book and "Trần Thị Bích Ngọc" in book, "the register lists both lines")
    step(official, "register")

    official.fill("#requester", "nguyen van")
    with official.expect_navigation():
        official.click("form.search button[type=submit]")
    rows = official.locator("table.list tbody tr").count()
    check(rows == 1, f"search without marks: one line ({rows})")
    check("Nguyễn Văn An" in official.inner_text("table.list"), "search: the line of Nguyễn Văn An")
    check(official.input_value("#requester") == "nguyen van", "search: the words stay in the box")
    step(official, "register-search")

    with official.expect_navigation():
        official.click("a.line-number >> nth=0")
    check("Có hiệu lực" in official.inner_text("#line-status"), "the line is valid")
    code = official.inner_text("#verification-code").strip()
    check(re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){4}", code) is not None, f"the line's code {code}")
    step(official, "line")

    # --- annul: the reason is required, then given ---------------------------------------
    expected.add(422)
    with official.expect_navigation():
        official.click("#annul-title ~ form button[type=submit]")
    check(official.is_visible(".error-summary"), "annul without reason: the error summary")
    check(official.is_visible("#reason-error"), "annul without reason: the error at the field")
    step(official, "line-annul-error")
    expected.discard(422)
    official.click(".error-summary a")
    check(official.evaluate("document.activeElement.id") == "reason", "the summary leads to the field")
    official.keyboard.type(REASON)
    with official.expect_navigation():
        official.click("#annul-title ~ form button[type=submit]")
    check("Đã hủy" in official.inner_text("#line-status"), "annulled")
    check(REASON in official.inner_text("#annulled-reason"), "annulled: the reason")
    check(official.locator("#reason").count() == 0, "annulled: no annul form any more")
    step(official, "line-annulled")
    with official.expect_navigation():
        official.click(f'a[href="/v/{code}"]')
    page = official.inner_text("main")
    check("Bản sao đã bị hủy" in page and REASON in page, "the copy's page says annulled, with the reason")
    step(official, "copy-annulled")

    # --- downloads and statistics -----------------------------------------------------------
    official.goto(f"{BASE}/register-book/exports")
    step(official, "exports")
    with official.expect_download() as pdf:
        official.click("ul.downloads a >> nth=0")
    check(pdf.value.suggested_filename.endswith(".pdf"), f"this month's sealed PDF ({pdf.value.suggested_filename})")
    with official.expect_download() as csv:
        official.click("ul.downloads a >> nth=1")
    check(csv.value.suggested_filename.endswith(".csv"), f"this month's CSV ({csv.value.suggested_filename})")
    with official.expect_download() as year:
        official.select_option("#month", "")
        official.click('form.export button[value="csv"]')
    check(re.search(r"-\d{4}\.csv$", year.value.suggested_filename) is not None, f"the year's CSV ({year.value.suggested_filename})")
    with official.expect_navigation():
        official.click('form[action="/register-book/statistics"] button')
    check(official.inner_text("#certifications").strip() == "2", "statistics: two certifications")
    check(official.inner_text("#annulled").strip() == "1", "statistics: one annulled since")
    step(official, "statistics")

    # --- the manage link, without JavaScript ------------------------------------------------
    citizen_ctx = browser.new_context(viewport=viewport, locale="vi-VN", java_script_enabled=False)
    citizen = citizen_ctx.new_page()
    watch(citizen, "citizen")
    axe_ctx = browser.new_context(viewport=viewport, locale="vi-VN")
    inspector = axe_ctx.new_page()
    watch(inspector, "inspector")
    citizen.goto(f"{BASE}{MANAGE}")
    check("14:00 05/03/2026" in citizen.inner_text("#appointment-time"), "manage: the appointment's time")
    step(citizen, "manage", inspector)
    with citizen.expect_navigation():
        citizen.click(f'a[href="{MANAGE}/reschedule"]')
    step(citizen, "manage-days", inspector)
    day_link = citizen.locator("ul.slots a").nth(1)
    day = re.search(r"\d{2}/\d{2}/\d{4}", day_link.inner_text()).group(0)
    with citizen.expect_navigation():
        day_link.click()
    time_label = citizen.inner_text('label[for="slot-1"]')
    time = re.match(r"\d{2}:\d{2}", time_label).group(0)
    step(citizen, "manage-times", inspector)
    citizen.check("#slot-1")
    with citizen.expect_navigation():
        citizen.click("fieldset.times ~ button[type=submit]")
    check(citizen.url.endswith(MANAGE), "moved: back to the appointment")
    moved = citizen.inner_text("#appointment-time")
    check(f"{time} {day}" in moved, f"moved to {time} {day} ({moved})")
    step(citizen, "manage-moved", inspector)
    with citizen.expect_navigation():
        citizen.click(f'form[action="{MANAGE}/cancel"] button')
    check("Đã hủy" in citizen.inner_text("#appointment-status"), "cancelled")
    check(citizen.locator(f'form[action="{MANAGE}/cancel"]').count() == 0, "cancelled: nothing more to change")
    step(citizen, "manage-cancelled", inspector)
    browser.close()
print("all register checks passed")
