"""Open pages in headless chromium (Debian's, driven by playwright) and report what a user would meet.

Run by the playwright venv's python (`.tools/browser/bin/python`), not the suite's: one JSON job on
stdin, one JSON report on stdout. Per page: console errors, uncaught exceptions, failed requests and
HTTP errors, every element with data-metric (its text and data-value), the links, how many charts
were drawn, the bytes the page transferred, and (for the pages in `scan`) the serious/critical violations
axe-core finds (null: not scanned).
"""

import json
import re
import sys

from playwright.sync_api import sync_playwright

METRICS_JS = """() => Array.from(document.querySelectorAll('[data-metric]')).map(e => ({
  metric: e.getAttribute('data-metric'), text: e.textContent.trim(), value: e.getAttribute('data-value')}))"""
LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
CHARTS_JS = """() => ({charts: document.querySelectorAll('.vega').length,
  drawn: document.querySelectorAll('.vega[data-drawn=true] svg').length})"""
AXE_JS = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations'], preload: false});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.html)}));
}"""


def visit(context, url, axe, screenshot, scan):
    page = context.new_page()
    problems, sizes = [], []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"exception: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on("requestfinished", lambda r: sizes.append(_size(r)))
    page.goto(url, wait_until="load")
    charts = page.evaluate(CHARTS_JS)
    if charts["charts"]:
        try:
            page.wait_for_selector("html[data-charts=drawn]", timeout=30000)
        except Exception:  # noqa: BLE001 - reported, the test says what failed
            problems.append("charts were not drawn within 30 s")
        charts = page.evaluate(CHARTS_JS)
    report = {
        "url": url,
        "title": page.title(),
        "problems": list(problems),  # before axe, which reads the page but is no part of it
        "metrics": page.evaluate(METRICS_JS),
        "links": page.evaluate(LINKS_JS),
        "charts": charts,
        "bytes": sum(sizes),
    }
    if screenshot:
        page.set_viewport_size({"width": 1200, "height": 900})
        page.screenshot(path=screenshot, full_page=True)
    report["axe"] = None
    if scan:
        page.add_script_tag(path=axe)
        report["axe"] = page.evaluate(AXE_JS)
    page.close()
    return report


def _size(request):
    response = request.response()
    try:
        return len(response.body()) if response else 0
    except Exception:  # noqa: BLE001 - a body that cannot be read counts as 0 (reported elsewhere)
        return 0


def main():
    job = json.load(sys.stdin)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=job["chromium"], headless=True, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        # offline: any request beyond this machine is refused (and shows as a failed request)
        context.route(re.compile(r"^(?!file://|http://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
        shots = job.get("screenshots", {})
        reports = [
            visit(context, url, job["axe"], shots.get(url), url in job.get("scan", job["pages"]))
            for url in job["pages"]
        ]
        browser.close()
    json.dump(reports, sys.stdout)


if __name__ == "__main__":
    main()
