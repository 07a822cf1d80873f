"""The built site in a real browser (Debian chromium driven by Playwright), offline.

Every request must stay on localhost and succeed, and the console must stay free
of errors. Screenshots go to ``test-artifacts/docs/``.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.docs.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "docs"

pytestmark = pytest.mark.browser


def _playwright() -> Any:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install playwright)")
    return sync_playwright


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    """The built site served on an ephemeral localhost port."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Traffic:
    """What the page did: console errors, failed and foreign requests."""

    host: str
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def request(self, request: Any) -> None:
        self.requests.append(request.url)
        parsed = urlparse(request.url)
        if parsed.scheme not in ("data", "blob", "about") and parsed.hostname != self.host:
            self.foreign.append(request.url)

    def console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def assert_clean(self) -> None:
        assert self.foreign == [], "requests left localhost"
        assert self.failed == [], "requests failed"
        assert self.errors == [], "console errors"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = _playwright()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[tuple[Any, Traffic]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    traffic = Traffic(urlparse(base_url).hostname or "127.0.0.1")
    page.on("request", traffic.request)
    page.on("requestfailed", lambda r: traffic.failed.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: traffic.failed.append(f"{r.url} ({r.status})") if r.status >= 400 else None)
    page.on("console", traffic.console)
    page.on("pageerror", lambda exc: traffic.errors.append(str(exc)))
    try:
        yield page, traffic
    finally:
        context.close()


def _wait_for_mermaid(tab: Any, selector: str) -> None:
    """Material swaps ``pre.mermaid`` for a ``div.mermaid`` holding the drawing in a
    closed shadow root: wait until that div has the drawing's size."""
    tab.wait_for_function(
        "s => { const d = document.querySelector(s);"
        " return d && d.tagName === 'DIV' && d.getBoundingClientRect().height > 100; }",
        arg=selector,
        timeout=30_000,
    )


def _shot(page: Any, name: str, *, top: bool = False) -> None:
    """Save a screenshot artifact; ``top``: of the page's top, after Material's header
    has finished swapping the site name for the page title (a short transition)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if top:
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_home_renders_the_diagram_and_follows_a_nav_link(page: tuple[Any, Traffic], base_url: str) -> None:
    tab, traffic = page
    tab.goto(base_url, wait_until="networkidle")
    diagram = tab.locator(".netviz-diagram svg").first
    assert diagram.is_visible()
    assert "3x3 16C 1S 1P" in diagram.text_content()
    _shot(tab, "home")
    tab.locator("nav.md-nav--primary a.md-nav__link", has_text="Notation").first.click()
    tab.wait_for_load_state("networkidle")
    assert tab.url.rstrip("/").endswith("/notation")
    assert tab.locator("h1").first.text_content().strip().rstrip("¶") == "Notation"
    _wait_for_mermaid(tab, "div.mermaid")  # the seed legend, drawn by the vendored Mermaid
    _shot(tab, "notation")
    traffic.assert_clean()


def test_gallery_page_shows_the_svg_and_the_mermaid_version(page: tuple[Any, Traffic], base_url: str) -> None:
    tab, traffic = page
    tab.goto(base_url + "gallery/wrn28_2/", wait_until="networkidle")
    diagram = tab.locator("#netviz-1-wrn28-2 svg")
    assert diagram.is_visible()
    box = diagram.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    assert "3x3 16C 1S 1P" in diagram.text_content()
    texts = diagram.locator("text").all_text_contents()
    assert "3x3 16C 1S 1P" in texts
    _wait_for_mermaid(tab, ".netviz-mermaid div.mermaid")
    assert tab.evaluate("typeof window.mermaid === 'object' && !(window.mermaid instanceof Element)")
    details = tab.locator("details", has_text="Pseudocode")
    details.locator("summary").click()
    assert "Conv torch.Size([16, 3, 3, 3])" in details.text_content()
    _shot(tab, "gallery-wrn28_2", top=True)
    traffic.assert_clean()


def test_gallery_index_thumbnails_load_lazily_from_the_site(
    page: tuple[Any, Traffic], base_url: str
) -> None:
    tab, traffic = page
    tab.goto(base_url + "gallery/", wait_until="networkidle")
    thumbnails = tab.locator("img.netviz-thumbnail")
    assert thumbnails.count() >= 18
    assert all(t == "lazy" for t in thumbnails.evaluate_all("l => l.map(i => i.loading)"))
    for index in range(thumbnails.count()):  # a reader scrolling down the table
        thumbnails.nth(index).scroll_into_view_if_needed()
    tab.wait_for_load_state("networkidle")
    tab.wait_for_function(
        "() => [...document.querySelectorAll('img.netviz-thumbnail')]"
        ".every(i => i.complete && i.naturalWidth > 0)", timeout=30_000)
    shown = thumbnails.evaluate_all("l => l.map(i => i.getBoundingClientRect().width)")
    assert min(shown) > 40  # as drawn, not squeezed by its table cell
    _shot(tab, "gallery-index", top=True)
    traffic.assert_clean()


_TEXT_SIZES = """() => {
  const body = parseFloat(getComputedStyle(document.querySelector('.md-typeset p')).fontSize);
  return [...document.querySelectorAll('.netviz-diagram svg')]
    .filter(svg => svg.getBoundingClientRect().width > 0)  // not in a hidden tab
    .map(svg => ({
      body,
      smallest: Math.min(...[...svg.querySelectorAll('text')].map(
        t => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a)),
      texts: svg.querySelectorAll('text').length,
    }));
}"""


@pytest.mark.parametrize("width", [1280, 1920])
@pytest.mark.parametrize("path", ["gallery/wrn28_2/", "gallery/resnet50/", "notation/"])
def test_diagram_text_is_at_least_the_body_text(
    browser: Any, base_url: str, path: str, width: int
) -> None:
    """Measured in CSS pixels as drawn (font size x the SVG's scale on screen): every
    label of every shown Graphviz diagram, including wide LR ones, against the body text."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(base_url + path, wait_until="networkidle")
        diagrams = tab.evaluate(_TEXT_SIZES)
    finally:
        context.close()
    assert diagrams and all(d["texts"] > 0 for d in diagrams)
    for diagram in diagrams:
        assert diagram["smallest"] >= diagram["body"] - 0.01, diagram


def test_api_page(page: tuple[Any, Traffic], base_url: str) -> None:
    tab, traffic = page
    tab.goto(base_url + "api/netviz.api/", wait_until="networkidle")
    heading = tab.locator("[id='netviz.api.render']")
    assert heading.is_visible()
    assert "render" in heading.text_content()
    _shot(tab, "api-netviz.api")
    traffic.assert_clean()


def test_search_works_offline(page: tuple[Any, Traffic], base_url: str) -> None:
    tab, traffic = page
    tab.goto(base_url, wait_until="networkidle")
    tab.locator("input.md-search__input").click()
    tab.keyboard.type("WideResNet", delay=30)  # Material reacts to key events, not fill()
    results = tab.locator(".md-search-result__item")
    results.first.wait_for(state="visible", timeout=30_000)
    assert results.count() > 0
    assert "WideResNet" in tab.locator(".md-search-result").text_content()
    _shot(tab, "search")
    results.first.locator("a").first.click()
    tab.wait_for_load_state("networkidle")
    assert tab.url != base_url
    traffic.assert_clean()


def test_block_api_page_reads_like_the_seed(page: tuple[Any, Traffic], base_url: str) -> None:
    """seed 001: the block's signature, its two charts, its arguments, and both worked
    examples with their torchsummary tables (3,792 and 11,584 parameters)."""
    tab, traffic = page
    tab.goto(base_url + "api/netviz_models.mdnc/#netviz_models.mdnc.BlockBottleneck2d",
             wait_until="networkidle")
    heading = tab.locator("[id='netviz_models.mdnc.BlockBottleneck2d']")
    block = heading.locator("xpath=..")  # the class's doc-object: heading, signature, contents
    assert "BlockBottleneck2d(" in block.locator(".doc-signature").first.text_content()
    charts = block.locator(".netviz-diagram svg")
    assert charts.count() == 2
    for index in range(2):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 50 and box["height"] > 150
    plain, projected = (charts.nth(i).locator("text").all_text_contents() for i in range(2))
    assert plain.count("1x1 16C 1S 0P") == 2 and "1x1 32C (1,2)S 0P" not in plain
    assert "1x1 32C (1,2)S 0P" in projected  # the projection branch
    arguments = block.locator("table", has_text="in_planes").first
    assert arguments.is_visible() and "output_size" in arguments.text_content()
    examples = block.locator("div.highlight", has=tab.locator(".gp"))  # pycon: '>>>' prompts
    assert examples.count() == 2 and "BlockBottleneck2d(16, 32" in examples.first.text_content()
    tables = block.locator(".netviz-summary")
    assert tables.count() == 2
    assert "Total params: 3,792" in tables.nth(0).text_content()
    assert "Total params: 11,584" in tables.nth(1).text_content()
    signature = block.locator(".doc-signature").first.bounding_box()
    assert signature is not None and signature["height"] > 40  # wrapped, not scrolled sideways
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.evaluate("window.scrollTo(0, 0)")
    box = tab.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y + window.scrollY, width: r.width, height: r.height}; }",
        block.element_handle(),
    )
    # The whole section, from the page (the sticky header stays at the top of the page).
    tab.screenshot(path=str(ARTIFACTS / "api-BlockBottleneck2d.png"), full_page=True, clip=box)
    traffic.assert_clean()
