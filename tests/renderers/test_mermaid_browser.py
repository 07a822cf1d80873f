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
        (render_mermaid(wrn28_2()), 32 + 6),  # and a title node per cluster
        # the legend: A → BN → ReLU → B ≡ A --o B, and a glyph and its words per shape
        (render_mermaid(wrn28_2(), legend=True, direction="LR", theme="dark"), 32 + 6 + 12),
        (render_mermaid(chain("m", list(MARKS.values())), legend=True), 6 + 31),
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


CROSSINGS = """async (text) => {
  const out = await mermaid.render('m' + (window.__n = (window.__n || 0) + 1), text);
  const box = document.createElement('div');
  box.innerHTML = out.svg;
  document.body.appendChild(box);
  const rect = e => { const r = e.getBoundingClientRect();
    return {text: e.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; };
  const titles = [...box.querySelectorAll('.netvizTitle .label, .cluster-label')].map(rect)
    .filter(t => t.text.trim() && t.x1 > t.x0);
  const crossed = [];
  for (const path of box.querySelectorAll('.edgePaths path, path.flowchart-link')) {
    const length = path.getTotalLength(), m = path.getScreenCTM();
    for (let i = 0; i <= 80; i++) {
      const p = path.getPointAtLength(length * i / 80);
      const x = m.a * p.x + m.c * p.y + m.e, y = m.b * p.x + m.d * p.y + m.f;
      for (const t of titles)
        if (x > t.x0 && x < t.x1 && y > t.y0 && y < t.y1) crossed.push(path.id + ' x ' + t.text);
    }
  }
  box.remove();
  return {titles: titles.map(t => t.text), crossed: [...new Set(crossed)]};
}"""
"""Every cluster title's box on screen, and the edges passing through one (sampled)."""


@pytest.mark.browser
@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_no_edge_crosses_a_cluster_title(mermaid_page, direction: str) -> None:
    """Mermaid centres a subgraph's label on its top edge, where the edge into the
    block's first node comes in: every title used to be crossed."""
    from tests.renderers.graphs import bottleneck_resnet

    for graph in (wrn28_2(), bottleneck_resnet("r", [3, 4, 6, 3])):
        result = mermaid_page.evaluate(CROSSINGS, render_mermaid(graph, direction=direction,
                                                                 legend=True))
        expected = [c.title for c in graph.clusters] + ["Legend", "These are equivalent"]
        assert set(expected) <= set(result["titles"])  # and the legend's words
        assert result["crossed"] == []
