"""Screenshots of the main pages in headless Debian Chromium, so a person can look at them.

Usage (a server must be running, e.g. ``python dev.py serve`` or gunicorn):

    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/screenshots.py \
        --base-url http://127.0.0.1:8000 [--out screenshots] [--dark]

Writes ``<out>/<page>-<width>[-dark].png`` for the feed, a paper page, an author page,
an empty day and the 404 page, at desktop (1280px) and phone (390px) widths. Prints each
file with the page's console errors and whether it overflows horizontally. The screenshots
folder is gitignored: nothing binary is committed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def _first_link(page: Page, base_url: str, selector: str) -> str | None:
    page.goto(f"{base_url}/papers")
    link = page.locator(selector).first
    return link.get_attribute("href") if link.count() else None


def pages_to_shoot(page: Page, base_url: str) -> dict[str, str]:
    """Name → path of the pages to capture, found by following links from the feed."""
    paths = {"feed": "/papers", "empty-day": "/papers/date/2030-01-05", "not-found": "/papers/x"}
    paper = _first_link(page, base_url, ".card-title a")
    author = _first_link(page, base_url, ".card-authors a")
    if paper:
        paths["paper"] = paper
    if author:
        paths["author"] = author
    return paths


def has_overflow(page: Page) -> bool:
    """True when the page scrolls sideways (content wider than the viewport)."""
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def _shoot_width(browser, base_url: str, out: Path, label: str, dark: bool, full: bool) -> int:
    """Capture every page at one viewport; returns the number of problems seen."""
    width, height = WIDTHS[label]
    scheme = "dark" if dark else "light"
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    problems = 0
    for name, path in pages_to_shoot(page, base_url).items():
        errors.clear()
        page.goto(f"{base_url}{path}")
        target = out / f"{name}-{label}{'-dark' if dark else ''}.png"
        page.screenshot(path=str(target), full_page=full)
        # The 404 page's own status shows up as a console error; it is expected there.
        real_errors = [e for e in errors if not (name == "not-found" and "404" in e)]
        overflow = has_overflow(page)
        problems += int(overflow) + len(real_errors)
        print(f"{target}  {path}  overflow={overflow} console_errors={real_errors or 0}")
    context.close()
    return problems


def shoot(base_url: str, out: Path, dark: bool, full_page: bool) -> int:
    """Capture all pages at desktop and phone widths into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        problems = sum(
            _shoot_width(browser, base_url, out, label, dark, full_page) for label in WIDTHS
        )
        browser.close()
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--dark", action="store_true", help="use prefers-color-scheme: dark")
    parser.add_argument("--viewport-only", action="store_true", help="no full-page captures")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} not found: install Debian's chromium package")
    problems = shoot(args.base_url.rstrip("/"), args.out, args.dark, not args.viewport_only)
    print(f"{problems} problem(s) (horizontal overflow or console errors)")


if __name__ == "__main__":
    main()
