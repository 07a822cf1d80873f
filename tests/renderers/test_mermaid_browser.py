"""Real Mermaid (the copy vendored for the docs site) renders our output literally."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from netviz.renderers import render_mermaid
from netviz.renderers.escape import clean
from tests.renderers.graphs import MARKS, chain, wrn28_2
from tests.renderers.nasty import NASTY
from tests.renderers.test_escape import nasty_graph

ROOT = Path(__file__).parents[2]
MERMAID_JS = Path(os.environ.get("NETVIZ_MERMAID_JS", ROOT / "docs/assets/javascripts/mermaid.min.js"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

RENDER = """async (text) => {
  try {
    const out = await mermaid.render('m' + (window.__n = (window.__n || 0) + 1), text);
    const box = document.createElement('div');
    box.innerHTML = out.svg;
    return {
      ok: true,
      nodes: box.querySelectorAll('g.node').length,
      labels: [...box.querySelectorAll('.nodeLabel, .edgeLabel, .cluster-label')]
        .map(e => e.textContent),
      injected: box.querySelectorAll('script, .nodeLabel b, .nodeLabel i').length,
    };
  } catch (err) { return {ok: false, error: String(err)}; }
}"""


@pytest.fixture(scope="module")
def mermaid_page():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed")
    if not MERMAID_JS.is_file():
        pytest.skip(f"no mermaid.min.js at {MERMAID_JS} (set NETVIZ_MERMAID_JS)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.set_content("<html><body></body></html>")
        page.add_script_tag(content=MERMAID_JS.read_text(encoding="utf-8"))
        page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
        yield page
        browser.close()


@pytest.mark.browser
def test_wrn_and_every_glyph_render(mermaid_page) -> None:
    for text, nodes in [
        (render_mermaid(wrn28_2()), 32),
        (render_mermaid(wrn28_2(), legend=True, direction="LR", theme="dark"), 32 + 9),
        (render_mermaid(chain("m", list(MARKS.values())), legend=True), 6 + 30),
    ]:
        result = mermaid_page.evaluate(RENDER, text)
        assert result["ok"], result.get("error")
        assert result["nodes"] == nodes


@pytest.mark.browser
def test_nasty_labels_render_literally(mermaid_page) -> None:
    result = mermaid_page.evaluate(RENDER, render_mermaid(nasty_graph(), legend=True))
    assert result["ok"], result.get("error")
    assert result["injected"] == 0
    labels = set(result["labels"])
    for label in NASTY:
        expected = clean(label) or "MyOp"
        # Mermaid turns <br> into a line break, which textContent drops.
        assert expected.replace("\n", "") in labels, expected
