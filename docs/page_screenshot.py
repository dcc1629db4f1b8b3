"""
Take the README's screenshot of the planner's page: ``python docs/page_screenshot.py [OUTPUT_DIR]``.

Starts ``transit serve`` on a free loopback port, opens the page with the question in its URL (Kashgar -> Tashkent
via Irkeshtam, Monday 30 October 2017 08:00, pre-2017 against the rules of that week, 1,000 samples) in headless
Chromium driven by Playwright, and writes ``planner_page.png`` (1600 x 1000 px). Needs the test extra (Playwright) and
a Chromium binary (Debian's ``chromium``; set TRANSIT_CHROMIUM to use another). Default output: ``docs/img`` next to
this script. ``make screenshot`` runs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

QUERY = "from=Kashgar&to=Tashkent&depart=2017-10-30T08:00&via=Irkeshtam&regimes=pre-2017,history&samples=1000"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(out: Path) -> Path:
    chromium = os.environ.get("TRANSIT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium binary: apt-get install chromium, or set TRANSIT_CHROMIUM")
    out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    command = [str(Path(sys.executable).with_name("transit")), "serve", "--port", str(port), "--workers", "1", "--no-access-log"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603 - our own command
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/health", timeout=1).close()  # noqa: S310 - http://127.0.0.1 only
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("transit serve did not start") from None
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{base}/?{QUERY}")
            page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Done')", timeout=60_000)
            page.wait_for_function("() => document.querySelectorAll('#map path.leaflet-interactive').length >= 2")
            page.wait_for_timeout(800)  # the outlines and Leaflet's fit
            target = out / "planner_page.png"
            page.screenshot(path=str(target))
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    return target


if __name__ == "__main__":
    written = main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "img")
    print(f"wrote {written}")
