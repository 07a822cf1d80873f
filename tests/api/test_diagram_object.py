"""``netviz.diagram`` returns a ``Diagram``: every format, saved atomically, shown in Jupyter."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

import netviz
from netviz.diagrams import SUFFIXES, Diagram
from netviz.errors import FormatError, ModelSpecError
from netviz.ir import Graph


@pytest.fixture(scope="module")
def wrn() -> Diagram:
    return netviz.diagram("wrn28_2")


def test_diagram_returns_a_diagram_keeping_the_notation_graph(wrn: Diagram) -> None:
    assert isinstance(wrn, Diagram) and isinstance(wrn.graph, Graph)
    assert wrn.name == "wrn28_2"
    assert [c.repeat for c in wrn.graph.clusters] == [1, 3] * 3
    assert repr(wrn) == "<Diagram 'wrn28_2': 32 nodes, 6 clusters (3 folded)>"


def test_the_sources_are_what_render_gives(wrn: Diagram) -> None:
    assert wrn.dot.encode() == netviz.render("wrn28_2", "dot")
    assert wrn.mermaid.encode() == netviz.render("wrn28_2", "mmd")
    assert wrn.pseudocode == netviz.pseudocode("wrn28_2")  # every block, not the folded ones


def test_style_is_kept_and_can_be_changed(wrn: Diagram) -> None:
    styled = netviz.diagram("wrn28_2", legend=True, direction="LR", theme="dark")
    expected = netviz.render("wrn28_2", "mmd", legend=True, direction="LR", theme="dark")
    assert styled.mermaid.encode() == expected
    assert wrn.styled(legend=True, direction="LR", theme="dark").mermaid == styled.mermaid
    assert styled.styled(theme="light").theme == "light" and styled.styled().direction == "LR"


def test_render_takes_a_diagram_and_a_graph(wrn: Diagram) -> None:
    assert netviz.render(wrn, "dot") == netviz.render("wrn28_2", "dot")
    assert netviz.render(wrn.graph, "mmd") == netviz.render("wrn28_2", "mmd")
    raw = netviz.trace("wrn28_2")
    assert netviz.render(raw, "dot", legend=True) == netviz.render("wrn28_2", "dot", legend=True)
    assert netviz.render(raw, "txt") == netviz.render("wrn28_2", "txt")
    assert netviz.render(raw, "dot", fold=False) == netviz.render("wrn28_2", "dot", fold=False)
    styled = netviz.diagram("wrn28_2", direction="LR")
    assert netviz.render(styled, "mmd") == netviz.render("wrn28_2", "mmd", direction="LR")
    assert netviz.render(styled, "mmd", theme="dark") == netviz.render(
        "wrn28_2", "mmd", direction="LR", theme="dark")


@pytest.mark.parametrize("wrong", [object(), 42, b"wrn28_2", ["wrn28_2"]])
def test_a_wrong_type_is_one_line_naming_the_type(wrong: object) -> None:
    with pytest.raises(ModelSpecError) as info:
        netviz.render(wrong, "svg")  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message and len(message) < 200
    assert message.startswith(f"invalid model spec of type {type(wrong).__name__}:")


def test_a_huge_wrong_object_is_not_dumped() -> None:
    class Huge:
        def __repr__(self) -> str:
            return "x" * 100_000

    with pytest.raises(ModelSpecError, match="of type Huge") as info:
        netviz.render(Huge(), "dot")  # type: ignore[arg-type]
    assert "xxxx" not in str(info.value)


@pytest.mark.parametrize("suffix", sorted(SUFFIXES))
def test_save_writes_every_format_from_the_suffix(wrn: Diagram, suffix: str, tmp_path: Path) -> None:
    fmt = SUFFIXES[suffix]
    if fmt in ("svg", "png", "pdf") and shutil.which("dot") is None:
        pytest.skip("needs the Graphviz dot binary")
    target = tmp_path / f"d{suffix}"
    wrn.save(target)
    assert target.read_bytes() == netviz.render("wrn28_2", fmt)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left


def test_save_errors_leave_nothing_behind(wrn: Diagram, tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="cannot tell the format"):
        wrn.save(tmp_path / "d.xyz")
    with pytest.raises(FormatError, match="contradicts"):
        wrn.save(tmp_path / "d.svg", "mmd")
    wrn.save(tmp_path / "diagram", "mmd")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["diagram"]


@pytest.mark.needs_dot
def test_jupyter_gets_svg_where_dot_is_installed(wrn: Diagram) -> None:
    svg = wrn._repr_svg_()
    assert svg is not None and svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert wrn._repr_markdown_() is None  # Jupyter would show Markdown before SVG


def test_jupyter_gets_mermaid_and_a_note_without_dot(wrn: Diagram, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    assert wrn._repr_svg_() is None
    markdown = wrn._repr_markdown_()
    assert markdown is not None and "Graphviz `dot` is not installed" in markdown
    assert f"```mermaid\n{wrn.mermaid}```" in markdown


def test_dir_lists_the_public_api_and_import_stays_light() -> None:
    import subprocess

    code = "import sys, netviz; print(dir(netviz)); print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    listed, torch_loaded = done.stdout.splitlines()
    assert listed == str(["Diagram", "Diff", "Summary", "__version__", "diagram", "diff",
                          "load_model", "plot", "pseudocode", "render", "summary", "trace"])
    assert torch_loaded == "False"
    assert netviz.Diagram is Diagram
