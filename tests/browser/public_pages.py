"""Browser test of the public pages, in Debian's Chromium through Playwright.

Usage: public_pages.py BASE_URL OFFICE_ID SCREENSHOT_DIR

Checks, at 360 px wide and on a desktop width: the home page in Vietnamese, no horizontal
scrolling, no axe-core violations; the language switch (English, remembered on the next
page); the code box (an error at the field and in the summary, then a valid code leading
to the copy's page); finding the office and opening its page; a file that is no PDF on
the verify page. Prints one line per check
and exits non-zero on the first failure.
"""
import sys

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

BASE, OFFICE, SHOTS = sys.argv[1], sys.argv[2], sys.argv[3]
CHROMIUM = "/usr/bin/chromium"


def check(condition, what):
    if not condition:
        print(f"FAIL: {what}", flush=True)
        sys.exit(1)
    print(f"ok: {what}", flush=True)


def accessible(page, name):
    result = Axe().run(page)
    ids = [v["id"] for v in result.response["violations"]]
    check(result.violations_count == 0, f"{name}: no axe violations {ids}")
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    check(width <= viewport, f"{name}: no horizontal scroll ({width} <= {viewport})")


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    for width in (360, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{BASE}/")
        check(page.evaluate("document.documentElement.lang") == "vi", f"home {width}px: lang=vi")
        check("Bản sao điện tử" in page.inner_text("h1"), f"home {width}px: Vietnamese heading")
        accessible(page, f"home {width}px")
        page.screenshot(path=f"{SHOTS}/home-{width}.png", full_page=True)

        # The code box: an error at the field and in the summary, then the copy's page.
        page.fill("#code", "12")
        with page.expect_navigation():
            page.click("button[type=submit]")
        check(page.is_visible(".error-summary"), f"code {width}px: error summary")
        check(page.is_visible("#code-error"), f"code {width}px: error at the field")
        accessible(page, f"code error {width}px")
        page.click(".error-summary a")
        check(page.evaluate("document.activeElement.id") == "code", f"code {width}px: summary link focuses the field")
        page.fill("#code", "abcd efgh jkmn pqrs tvwx")
        with page.expect_navigation():
            page.press("#code", "Enter")
        check(page.url.endswith("/v/ABCD-EFGH-JKMN-PQRS-TVWX"), f"code {width}px: leads to {page.url}")

        # Find the office, open its page.
        page.goto(f"{BASE}/offices")
        page.fill("#name", "bến nghé")
        with page.expect_navigation():
            page.click("button[type=submit]")
        check(page.is_visible(f'a[href="/offices/{OFFICE}"]'), f"offices {width}px: the office is found")
        accessible(page, f"offices {width}px")
        with page.expect_navigation():
            page.click(f'a[href="/offices/{OFFICE}"]')
        check("Giờ tiếp nhận" in page.content(), f"office {width}px: opening hours")
        accessible(page, f"office {width}px")
        page.screenshot(path=f"{SHOTS}/office-{width}.png", full_page=True)

        # Verify a file: a file that is no PDF gets its reason at the field.
        page.goto(f"{BASE}/verify")
        accessible(page, f"verify {width}px")
        not_pdf = f"{SHOTS}/not-a-pdf.txt"
        with open(not_pdf, "w") as handle:
            handle.write("not a pdf")
        page.set_input_files("#file", not_pdf)
        with page.expect_navigation():
            page.click("button[type=submit]")
        check(page.is_visible("#file-error"), f"verify {width}px: the reason at the field")
        accessible(page, f"verify error {width}px")

        # The switch: English here, and remembered on the next page.
        with page.expect_navigation():
            page.click("a.lang")
        check(page.evaluate("document.documentElement.lang") == "en", f"switch {width}px: English")
        check("Check a copy" in page.content(), f"switch {width}px: same page in English")
        page.goto(f"{BASE}/")
        check(page.evaluate("document.documentElement.lang") == "en", f"switch {width}px: remembered")
        context.close()
    browser.close()
print("all browser checks passed")
