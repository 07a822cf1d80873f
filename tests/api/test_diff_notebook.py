"""A ``Diff`` in a notebook: the figure and the text form as HTML (the text form and
Mermaid as Markdown where Graphviz is missing)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("nbclient", reason="the test extra (nbformat, nbclient, ipykernel)")

from tests.api.test_notebook import run_notebook  # noqa: E402


@pytest.mark.needs_dot
def test_a_diff_shows_its_figure_and_its_changes(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (outputs,) = run_notebook(["import netviz\nnetviz.diff('wrn28_2', 'wrn28_10')"], tmp_path,
                              monkeypatch)
    (shown,) = [o["data"] for o in outputs if "data" in o]
    assert "text/markdown" not in shown  # Jupyter would prefer it to the HTML
    html = shown["text/html"]
    assert html.startswith('<div class="netviz-diff"><svg') or '<svg' in html.split("<pre>")[0]
    assert "wrn28_2 → wrn28_10: 21 changes" in html
    assert "3x3 32C 1S 1P → 3x3 160C 1S 1P" in html


def test_without_graphviz_a_diff_is_markdown(monkeypatch: pytest.MonkeyPatch) -> None:
    import netviz

    diff = netviz.diff("wrn28_2", "wrn28_10")
    monkeypatch.setattr("netviz.diffs.shutil.which", lambda name: None)
    assert diff._repr_html_() is None and diff._repr_svg_() is None
    text = diff._repr_markdown_()
    assert text is not None and "```mermaid\n" in text and "| Group | Params A |" in text
