"""The "In a notebook" page is a real notebook: its cells run headless in a Jupyter kernel,
a diagram comes out as SVG and a summary as an HTML table."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the test extra (nbformat, nbclient, ipykernel)")
nbclient = pytest.importorskip("nbclient", reason="the test extra (nbformat, nbclient, ipykernel)")
pytest.importorskip("ipykernel", reason="the test extra (nbformat, nbclient, ipykernel)")

PAGE = Path(__file__).parents[2] / "docs" / "notebook.md"


def page_cells() -> list[str]:
    """The page's ```python blocks, one notebook cell each."""
    return re.findall(r"```python\n(.*?)```", PAGE.read_text("utf-8"), re.S)


def run_notebook(cells: list[str], folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Run ``cells`` in a fresh kernel (this interpreter) in ``folder``; their outputs."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(folder / ".jupyter-runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(folder / ".ipython"))  # leave nothing in HOME
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}
    client = nbclient.NotebookClient(book, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    assert client.kernel_name == "python3" and sys.executable  # "python" runs sys.executable
    client.execute()
    return [cell.outputs for cell in book.cells]


def _kinds(outputs: list) -> set[str]:
    return {kind for output in outputs for kind in output.get("data", {})}


@pytest.mark.needs_dot
def test_the_page_runs_as_a_notebook_with_svg_and_html(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    cells = page_cells()
    assert len(cells) >= 6
    outputs = run_notebook(cells, tmp_path, monkeypatch)
    errors = [o for cell in outputs for o in cell if o.get("output_type") == "error"]
    assert not errors, errors[0].get("evalue") if errors else ""
    assert "image/svg+xml" in _kinds(outputs[0])  # the first diagram, as SVG
    assert "text/markdown" not in _kinds(outputs[0])  # Jupyter would prefer it to the SVG
    assert "image/svg+xml" in _kinds(outputs[1])
    html = [o["data"]["text/html"] for cell in outputs for o in cell if "text/html" in o.get("data", {})]
    assert html and html[0].startswith('<table class="netviz-summary">')
    assert "<caption>wrn28_2 (WideResNet), input 3x32x32, by diagram group</caption>" in html[0]
    for name in ("wrn28_2.svg", "wrn28_2.pdf", "wrn28_2.mmd", "wrn28_2-dark.png", "wrn28_2.tex"):
        assert (tmp_path / name).stat().st_size > 100, name


def test_without_dot_the_notebook_shows_mermaid(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    cells = ["import os\nos.environ['PATH'] = ''\nimport netviz\nnetviz.diagram('wrn28_2')"]
    (outputs,) = run_notebook(cells, tmp_path, monkeypatch)
    assert _kinds(outputs) == {"text/plain", "text/markdown"}
    markdown = next(o["data"]["text/markdown"] for o in outputs if "data" in o)
    assert "Graphviz `dot` is not installed" in markdown and "```mermaid\ngraph TD" in markdown
