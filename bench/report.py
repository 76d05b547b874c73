"""The review page at scale: size and time to first paint of a 1,000-article page, in Debian's chromium.

The documents replicate the recorded pipeline outputs in tests/data/documents/ under new
ids (tests/reportkit.py), rendered as ``llmx report`` does; each load is a fresh page.
Needs the dev extras (playwright) and /usr/bin/chromium. Runs in a few seconds:

    python bench/report.py [ARTICLES] [LOADS]    # default: 1000 articles, 5 loads
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/reportkit.py: the tests' own documents

from playwright.sync_api import sync_playwright  # noqa: E402

from llmx.report.data import build_report  # noqa: E402
from llmx.report.page import render  # noqa: E402
from tests.reportkit import first_paint, launch, many  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    loads = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    docs, articles = many(n)
    started = time.perf_counter()
    html = render(build_report(docs, articles))
    built = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.html"
        path.write_text(html, encoding="utf-8")
        size = path.stat().st_size
        fcp, ready = [], []
        with sync_playwright() as playwright:
            browser = launch(playwright)
            for _ in range(loads):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(path.as_uri())
                page.wait_for_selector("body[data-ready]")
                fcp.append(first_paint(page)["first-contentful-paint"])
                ready.append(page.evaluate("() => performance.getEntriesByName('llmx-ready')[0].startTime"))
                page.close()
            browser.close()
    print(f"{n} articles, {sum(len(d.events) for d in docs)} records: {size / 1e6:.2f} MB ({size / n / 1e3:.1f} kB per article), rendered in {built:.2f} s")
    print(f"first contentful paint: median {statistics.median(fcp):.0f} ms (min {min(fcp):.0f}, max {max(fcp):.0f}) over {loads} loads")
    print(f"list and first article drawn: median {statistics.median(ready):.0f} ms")


if __name__ == "__main__":
    main()
