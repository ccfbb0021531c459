"""The whole journey in Debian's Chromium through Playwright, at 360 px wide (phone).

Usage: journey.py BASE_URL OFFICE_ID CLERK OFFICIAL PASSWORD SCAN_JPEG SCREENSHOT_DIR

A citizen registers, signs in, books (office -> day -> time -> documents -> fee ->
confirm) and asks for an identity code; the clerk checks the citizen in by the booking
code, confirms the identity code against the ID number, uploads a scan and hands the
request over; the official certifies it from the review queue; the citizen downloads the
copy from "my copies"; an anonymous visitor verifies the file by upload and by its code.
On the way: axe-core on every page (no serious or critical violation), a screenshot of
every step, no console error and no failed request anywhere, and the booking form done
with the keyboard alone (Tab order, visible focus, Enter).

Prints one line per check and exits non-zero on the first failure.
"""
import random
import re
import sys

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

BASE, OFFICE, CLERK, OFFICIAL, PASSWORD, SCAN, SHOTS = sys.argv[1:8]
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


def step(page, name):
    """Checks the page (axe, no horizontal scroll, nothing went wrong so far) and keeps a
    screenshot named after the step."""
    step_no[0] += 1
    check(not problems, f"{name}: no console error or failed request {problems}")
    result = Axe().run(page)
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


def sign_in(page, login, who):
    page.goto(f"{BASE}/login")
    step(page, f"{who}-sign-in")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def focused(page):
    return page.evaluate(
        "() => { const e = document.activeElement; return e ? (e.id || e.name || e.tagName) : '' }"
    )


def focus_visible(page):
    """The focused element shows the focus outline of the stylesheet."""
    return page.evaluate(
        "() => getComputedStyle(document.activeElement).outlineStyle !== 'none'"
    )


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    viewport = {"width": WIDTH, "height": 780}

    # --- the citizen registers, signs in ---------------------------------------------
    citizen_ctx = browser.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True)
    citizen = citizen_ctx.new_page()
    watch(citizen, "citizen")
    number = "0792" + "".join(random.choice("0123456789") for _ in range(8))
    phone = "09" + "".join(random.choice("0123456789") for _ in range(8))
    citizen.goto(f"{BASE}/")
    step(citizen, "home")
    with citizen.expect_navigation():
        citizen.click("a.sign-in")
    with citizen.expect_navigation():
        citizen.click('a[href="/register"]')
    step(citizen, "register")
    citizen.fill("#full_name", "Nguyễn Thị Hoa")
    citizen.fill("#citizen_id", number)
    citizen.fill("#phone", phone)
    citizen.fill("#password", "Hoa-bien-2026")
    with citizen.expect_navigation():
        citizen.click("main button[type=submit]")
    check("Đã nhận đăng ký" in citizen.inner_text("h1"), "register: received")
    step(citizen, "registered")
    citizen.goto(f"{BASE}/login")
    citizen.fill("#login", phone)
    citizen.fill("#password", "Hoa-bien-2026")
    with citizen.expect_navigation():
        citizen.click("main button[type=submit]")
    check(citizen.url.endswith("/me"), f"sign-in leads to the citizen's page ({citizen.url})")
    step(citizen, "my-page")

    # --- books: office -> day -> time -> documents (keyboard only) -> fee -> confirm ----
    citizen.goto(f"{BASE}/offices/{OFFICE}")
    step(citizen, "office")
    with citizen.expect_navigation():
        citizen.click(f'a[href="/book/{OFFICE}"]')
    step(citizen, "book-day")
    with citizen.expect_navigation():
        citizen.click("ul.slots a >> nth=0")
    step(citizen, "book-time")
    with citizen.expect_navigation():
        citizen.click("main form button[type=submit]")
    check("/documents" in citizen.url, "the time leads to the documents")
    step(citizen, "book-documents")

    # Keyboard alone: from the heading, Tab reaches the first row's fields in order, each
    # with a visible focus; typing fills them; Enter sends the form.
    citizen.focus("h1")
    order = []
    for _ in range(12):
        citizen.keyboard.press("Tab")
        here = focused(citizen)
        order.append(here)
        if here == "rows-0-title":
            break
    check(order[-1] == "rows-0-title", f"Tab reaches the first document field ({order})")
    check(focus_visible(citizen), "the focused field shows its focus")
    citizen.keyboard.type("Bằng tốt nghiệp THPT")
    citizen.keyboard.press("Tab")
    check(focused(citizen) == "rows-0-pages", "Tab: title -> pages")
    citizen.keyboard.type("2")
    citizen.keyboard.press("Tab")
    check(focused(citizen) == "rows-0-copies", "Tab: pages -> copies")
    citizen.keyboard.type("1")
    with citizen.expect_navigation():
        citizen.keyboard.press("Enter")
    total = citizen.inner_text("tfoot")
    check("4.000 ₫" in total, f"the fee estimate: 2 pages x 2.000 = 4.000 ₫ ({total})")
    step(citizen, "book-fee")
    with citizen.expect_navigation():
        citizen.click("main form button[type=submit]")
    code = citizen.inner_text("#booking-code").strip()
    check(re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code) is not None, f"booked: code {code}")
    check(citizen.is_visible(".qr img"), "booked: the QR code")
    with citizen.expect_download() as ics:
        citizen.click('a[href$="calendar.ics"]')
    check(ics.value.suggested_filename.endswith(".ics"), "booked: the calendar file")
    step(citizen, "booked")

    # The identity code to show at the desk.
    citizen.goto(f"{BASE}/me/identity")
    step(citizen, "identity")
    with citizen.expect_navigation():
        citizen.click("main form button[type=submit]")
    identity_code = citizen.inner_text("#identity-code").strip()
    check(len(identity_code) >= 6, "identity: a code")
    step(citizen, "identity-code")

    # --- the clerk: check-in by code, identity, scan, hand-over ------------------------
    clerk_ctx = browser.new_context(viewport=viewport, locale="vi-VN")
    clerk = clerk_ctx.new_page()
    watch(clerk, "clerk")
    sign_in(clerk, CLERK, "clerk")
    check(clerk.url.endswith("/desk"), f"the clerk lands on the desk ({clerk.url})")
    step(clerk, "desk")
    clerk.fill("#booking_code", code.lower().replace("-", ""))
    with clerk.expect_navigation():
        clerk.click("#check-in-title ~ form button[type=submit]")
    check("Nguyễn Thị Hoa" in clerk.inner_text("main"), "checked in: the citizen is on the list")
    clerk.fill("#identity_code", identity_code)
    clerk.fill("#identity_number", number)
    with clerk.expect_navigation():
        clerk.click("#identity-title ~ form button[type=submit]")
    check("Nguyễn Thị Hoa" in clerk.inner_text("[role=status]"), "identity confirmed")
    step(clerk, "desk-checked-in")
    with clerk.expect_navigation():
        clerk.click('a[href^="/desk/requests/"] >> nth=0')
    step(clerk, "request")
    clerk.set_input_files("#scans", SCAN)
    with clerk.expect_navigation():
        clerk.click("#upload-title ~ form button[type=submit]")
    clerk.wait_for_function(
        "() => { const i = document.querySelector('ol.scans img'); return i && i.complete && i.naturalWidth > 0 }",
        timeout=10000,
    )
    check(clerk.is_visible("ol.scans img"), "the scan's thumbnail")
    step(clerk, "request-scanned")
    for box in ("#original_shown", "#pages_counted", "#no_erasure_seen"):
        clerk.check(box)
    with clerk.expect_navigation():
        clerk.click("#hand-over-title ~ form button[type=submit]")
    check("Chờ ký chứng thực" in clerk.inner_text("main"), "handed over")
    step(clerk, "request-handed-over")

    # --- the official certifies from the queue ----------------------------------------
    official_ctx = browser.new_context(viewport=viewport, locale="vi-VN")
    official = official_ctx.new_page()
    watch(official, "official")
    sign_in(official, OFFICIAL, "official")
    check(official.url.endswith("/review"), f"the official lands on the queue ({official.url})")
    step(official, "review-queue")
    with official.expect_navigation():
        official.click('a[href^="/review/"] >> nth=0')
    official.wait_for_function(
        "() => [...document.querySelectorAll('figure img')].every(i => i.complete && i.naturalWidth > 0)",
        timeout=10000,
    )
    step(official, "review")
    review_url = official.url
    with official.expect_navigation():
        official.click('form[action$="/certify"] button')
    check(official.is_visible(".certified-number"), "certified: a number in the register")
    step(official, "certified")

    # --- the citizen downloads the copy ------------------------------------------------
    citizen.goto(f"{BASE}/me/copies")
    step(citizen, "my-copies")
    with citizen.expect_download() as download:
        citizen.click('a[href$="/pdf"] >> nth=0')
    copy_path = f"{SHOTS}/copy.pdf"
    download.value.save_as(copy_path)
    with open(copy_path, "rb") as handle:
        check(handle.read(5) == b"%PDF-", "the copy is a PDF")
    verify_href = citizen.get_attribute('a[href^="/v/"] >> nth=0', "href")
    lookup = verify_href.rsplit("/", 1)[1]

    # ... and shares it for a procedure: a code shown once.
    with citizen.expect_navigation():
        citizen.click('a[href^="/me/copies/"] >> nth=0')
    step(citizen, "wallet-copy")
    citizen.fill("#purpose", "Hồ sơ tuyển sinh lớp 10")
    with citizen.expect_navigation():
        citizen.click("#share-title ~ form button[type=submit]")
    check(len(citizen.inner_text("#share-code").strip()) >= 43, "shared: a code of 256 bits")
    step(citizen, "wallet-shared")

    # --- anyone verifies it, by upload and by code -------------------------------------
    visitor_ctx = browser.new_context(viewport=viewport, locale="vi-VN")
    visitor = visitor_ctx.new_page()
    watch(visitor, "visitor")
    visitor.goto(f"{BASE}/verify")
    step(visitor, "verify")
    visitor.set_input_files("#file", copy_path)
    with visitor.expect_navigation():
        visitor.click("main button[type=submit]")
    report = visitor.inner_text("main")
    check("Tất cả chữ ký số hợp lệ" in report, "verify by upload: every signature valid")
    check("đang có hiệu lực" in report, "verify by upload: valid in the register")
    # PAdES B-LTA: the document time-stamp is checked and shown with its authority.
    check("Dấu thời gian của tài liệu" in report, "verify by upload: the document time-stamp section")
    check("Dấu thời gian hợp lệ, do đơn vị được tin cậy cấp." in report,
          "verify by upload: the document time-stamp is valid")
    check("Dev TSA" in report, "verify by upload: the time-stamping authority named")
    step(visitor, "verify-report")
    visitor.goto(f"{BASE}/")
    visitor.fill("#code", lookup)
    with visitor.expect_navigation():
        visitor.press("#code", "Enter")
    check("Bản sao có hiệu lực" in visitor.inner_text("main"), f"verify by code {lookup}: valid")
    step(visitor, "verify-code")

    # The staff pages on a desktop screen (the desk and the review side by side).
    for page, url, name in (
        (clerk, f"{BASE}/desk", "desk-1280"),
        (official, review_url, "review-1280"),
        (citizen, f"{BASE}/me", "my-page-1280"),
    ):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(url)
        page.wait_for_load_state("networkidle")
        check(not problems, f"{name}: no console error or failed request {problems}")
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
        page.set_viewport_size(viewport)

    # Sign out.
    with citizen.expect_navigation():
        citizen.click("nav.site form button")
    check(citizen.is_visible("a.sign-in"), "signed out")
    browser.close()
print("all journey checks passed")
