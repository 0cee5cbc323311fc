"""The web app's browser tests: the whole product as `make run` serves it, driven by Debian's Chromium.

The stack is `intervu-dev run` (every service and worker behind the HTTPS proxy, the built web app in web/dist),
started once for this folder, or reused when one is already serving https://localhost:8443. Chromium runs
headless with fake camera and microphone devices fed by a real face and a spoken answer (see media.py).
"""

from __future__ import annotations

import os
import ssl
import subprocess
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from intervu_kit.devstack.config import DevSettings, Paths
from intervu_kit.devstack.stack import require_own_product_ports
from intervu_kit.testing.product import start_product
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    ViewportSize,
    async_playwright,
    expect,
)

from .media import FakeMedia, make_fake_media

BASE = "https://localhost:8443"
WEB = Paths.root / "web"
CHROMIUM = os.environ.get("INTERVU_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("INTERVU_SCREENSHOTS", str(Paths.root / ".local" / "screenshots")))


# The pages wait on real services (and two busy cores): a step may take more than Playwright's default 5 s.
expect.set_options(timeout=20_000)


def _serving() -> bool:
    try:
        return httpx.get(f"{BASE}/api/accounts/readyz", verify=False, timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def _build_web_app() -> None:
    """Build web/dist when it is missing or older than the app's sources (what `make setup` does)."""
    index = WEB / "dist" / "index.html"
    sources = [p for folder in ("src", "public", "openapi") for p in (WEB / folder).rglob("*") if p.is_file()]
    sources += [WEB / "index.html", WEB / "vite.config.ts", WEB / "package.json"]
    if index.exists() and all(p.stat().st_mtime <= index.stat().st_mtime for p in sources):
        return
    if not (WEB / "node_modules").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WEB, check=True)
    subprocess.run(["npm", "run", "--silent", "build"], cwd=WEB, check=True, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="package")
def stack(infra: DevSettings) -> Iterator[str]:
    _build_web_app()
    if _serving():
        require_own_product_ports(infra)  # this checkout's own `make run`, never another's
        yield BASE
        return
    product = start_product()
    try:
        yield BASE
    finally:
        product.stop()


@pytest.fixture(scope="package")
def fake_media() -> FakeMedia:
    return make_fake_media(Paths.root / ".local" / "test-media")


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="package")
async def playwright(stack: str) -> AsyncIterator[Playwright]:
    async with async_playwright() as instance:
        yield instance


@pytest.fixture(scope="package")
async def browser(playwright: Playwright, fake_media: FakeMedia) -> AsyncIterator[Browser]:
    """Chromium whose camera and microphone are the fake devices, and which says yes when asked for them."""
    chromium = await playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            *BROWSER_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={fake_media.face_y4m}",
            f"--use-file-for-fake-audio-capture={fake_media.answer_wav}",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    yield chromium
    await chromium.close()


class Console:
    """What the page wrote to its console (errors and uncaught exceptions): a clean app writes none."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                # Without its query (a signed URL's signature): a long message is cut in the middle by pytest's
                # report, which hid the status of a failed load in CI.
                source = message.location.get("url", "").split("?")[0]
                self.errors.append(f"{message.text} ({source}) on {page.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: uncaught {error}"))

    def unexpected(self, *allowed: str) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in allowed)]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


DESKTOP: ViewportSize = {"width": 1280, "height": 757}  # a laptop window (issue 18)
CONTEXT: dict[str, Any] = {
    "base_url": BASE,
    "ignore_https_errors": True,  # the development proxy's certificate comes from Caddy's local CA
    "service_workers": "block",  # routes and offline emulation must see every request
    "locale": "en-GB",
    "timezone_id": "UTC",
}


@pytest.fixture
async def new_context(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[object]:
    """``context, page, console = await new_context()``: a fresh browser profile (one person), phone-sized or not."""
    contexts: list[BrowserContext] = []

    async def make(*, phone: bool = False) -> tuple[BrowserContext, Page, Console]:
        context = await browser.new_context(**CONTEXT, viewport={"width": 390, "height": 844} if phone else DESKTOP)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = await context.new_page()
        console = Console()
        console.watch(page)
        return context, page, console

    yield make
    for n, context in enumerate(contexts):
        if request.node.stash.get(FAILED, False):  # what the person saw when it failed
            for m, page in enumerate(context.pages):
                await screenshot(page, f"failed-{request.node.name}-{n}-{m}")
        await context.close()


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"


async def accessibility_problems(page: Page) -> list[str]:
    """WCAG 2.1 A and AA problems axe-core finds on the page as it is now (labels, contrast, roles, names...)."""
    # Evaluated, not added as a <script>: the app's Content-Security-Policy (script-src 'self') rightly blocks inline
    # scripts, and the checker is test instrumentation, not part of the page.
    await page.evaluate(AXE.read_text())
    found = await page.evaluate(
        """async () => {
            const result = await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] });
            return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} - ${v.nodes.slice(0, 3)
                .map(n => n.target.join(" ")).join(", ")}`);
        }"""
    )
    return [f"{page.url}: {problem}" for problem in found]


def ca_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(Paths.caddy_root_ca()))
