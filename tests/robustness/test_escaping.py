"""Names from user code cannot break a file or inject markup, in any format (issue 6).

End to end from real models (``tests/zoo/models.py``): class names, attribute
paths and function names containing ``<``, ``&``, quotes, ``|``, ``{}``, ``%``,
backslashes and newlines reach the labels. Each nasty model has a plain twin with
the same structure; every output of the nasty model must have the twin's
structure (same statements, rows, elements), show the names literally, and parse.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import netviz
from netviz import api
from netviz.ir import Graph, Kind
from netviz.renderers.escape import clean
from netviz.text import one_line
from tests.markdown_table import markdown_cells
from tests.renderers import mermaid_parse
from tests.renderers.dot_parse import parse_dot
from tests.zoo import models

pytestmark = pytest.mark.filterwarnings("ignore::netviz.errors.TraceFallbackWarning")

NASTY_MODELS = list(models.PLAIN_TWINS)
SHAPES = [(3, 8, 8)]
SVG = "{http://www.w3.org/2000/svg}"
SVG_TAGS = {"svg", "g", "title", "text", "polygon", "path", "ellipse", "polyline"}


def build(name: str, twin: bool = False):  # type: ignore[no-untyped-def]
    return getattr(models, models.PLAIN_TWINS[name] if twin else name)()


def render(name: str, fmt: str, twin: bool = False) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return netviz.render(build(name, twin), fmt, input_shapes=SHAPES, legend=True).decode()


def diagram(name: str) -> Graph:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return netviz.diagram(build(name), SHAPES).graph


def nasty_labels(graph: Graph) -> list[str]:
    """Labels of the graph that carry a nasty name (the OTHER nodes named by user code)."""
    return [n.label for n in graph.nodes if n.kind is Kind.OTHER and n.label != "Flip"]


def blank_strings(line: str) -> str:
    """``line`` with every quoted string emptied (Mermaid labels)."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)


def blank_values(line: str) -> str:
    """``line`` with every DOT attribute value emptied, quoted or not."""
    return re.sub(r'=("(?:[^"\\]|\\.)*"|[^\s\]]+)', '=""', line)


def test_nasty_names_reach_the_labels() -> None:
    """Otherwise these tests would test nothing."""
    # control characters are written as escapes (labels stay on one line); the rest verbatim
    assert nasty_labels(diagram("NastyNames")) == [one_line(models.NASTY_NAME)]
    assert nasty_labels(diagram("one_line_names")) == [models.ONE_LINE_NAME]
    assert nasty_labels(diagram("NastyLeafFallback")) == [one_line(models.NASTY_NAME)]
    assert diagram("NastyClassName").name == models.NASTY_CLASS_NAME
    for special in '<&"|{}%\\\n':
        assert special in models.NASTY_NAME + models.NASTY_ATTR


# --- diagrams ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", NASTY_MODELS)
def test_dot_keeps_the_twins_statements(name: str) -> None:
    nasty, plain = render(name, "dot"), render(name, "dot", twin=True)
    assert len(nasty.splitlines()) == len(plain.splitlines())
    assert [blank_values(x) for x in nasty.splitlines()[1:]] == [
        blank_values(x) for x in plain.splitlines()[1:]
    ]
    parsed = parse_dot(nasty)
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", parsed.name)
    assert len(parsed.nodes) == len(parse_dot(plain).nodes)


@pytest.mark.needs_dot
@pytest.mark.parametrize("name", NASTY_MODELS)
def test_svg_is_well_formed_shows_names_literally_and_injects_nothing(name: str) -> None:
    svg = render(name, "svg")
    root = ET.fromstring(svg)
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert tags <= SVG_TAGS, tags - SVG_TAGS
    for element in root.iter():
        assert not any(key.lower().startswith("on") for key in element.attrib), element.attrib
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    for label in nasty_labels(diagram(name)):
        for line in clean(label).split("\n"):
            assert line in texts, (line, texts)
    plain = ET.fromstring(render(name, "svg", twin=True))
    assert len(list(root.iter(f"{SVG}g"))) == len(list(plain.iter(f"{SVG}g")))


@pytest.mark.parametrize("name", NASTY_MODELS)
def test_mermaid_keeps_one_statement_per_line_and_round_trips(name: str) -> None:
    nasty, plain = render(name, "mmd"), render(name, "mmd", twin=True)
    assert [blank_strings(x) for x in nasty.splitlines()] == [
        blank_strings(x) for x in plain.splitlines()
    ]
    parsed = mermaid_parse.parse(nasty)
    labels = {label for _, label in parsed.nodes.values()}
    for label in nasty_labels(diagram(name)):
        assert clean(label) in labels
    for line in nasty.splitlines():
        assert "<script" not in line.lower() and not line.lstrip().startswith("%%")


@pytest.mark.parametrize("name", NASTY_MODELS)
def test_pseudocode_keeps_one_statement_per_line(name: str) -> None:
    nasty, plain = render(name, "txt"), render(name, "txt", twin=True)
    assert len(nasty.splitlines()) == len(plain.splitlines()), nasty
    for label in nasty_labels(diagram(name)):
        first = label.split("\n")[0]
        (line,) = [x for x in nasty.splitlines() if first in x]
        assert line.endswith(label.split("\n")[-1])


# --- summaries ----------------------------------------------------------------------------

SUMMARY_MODELS = ["NastyNames", "one_line_names", "NastyLeafFallback"]


def summary(name: str, fmt: str, twin: bool = False) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return api.summary(build(name, twin), fmt, input_shapes=SHAPES)


def nasty_cells(name: str) -> set[str]:
    """Layer paths and type names of the nasty model that must appear verbatim."""
    module = build(name)
    paths = {p for p, _ in module.named_modules() if p} - {"weird", "tail"}
    return paths | {type(module.weird).__name__}


@pytest.mark.parametrize("fmt", ["text", "torchsummary"])
@pytest.mark.parametrize("name", SUMMARY_MODELS)
def test_text_summaries_keep_one_row_per_line(name: str, fmt: str) -> None:
    nasty, plain = summary(name, fmt), summary(name, fmt, twin=True)
    assert len(nasty.splitlines()) == len(plain.splitlines()), nasty


@pytest.mark.parametrize("name", SUMMARY_MODELS)
def test_markdown_summary_keeps_its_table_and_shows_names_literally(name: str) -> None:
    nasty = markdown_cells(summary(name, "markdown"))
    plain = markdown_cells(summary(name, "markdown", twin=True))
    assert nasty.tags <= {"table", "thead", "tbody", "tr", "th", "td", "code", "strong"}, nasty.tags
    assert [len(r) for r in nasty.rows] == [len(r) for r in plain.rows]
    cells = {c for row in nasty.rows for c in row}
    for name_text in nasty_cells(name):
        shown = (name_text, clean(name_text).replace("\n", " "), one_line(name_text))
        assert any(text in c for text in shown for c in cells), (name_text, cells)


@pytest.mark.parametrize("name", SUMMARY_MODELS)
def test_csv_summary_round_trips(name: str) -> None:
    rows = list(csv.reader(io.StringIO(summary(name, "csv"))))
    plain = list(csv.reader(io.StringIO(summary(name, "csv", twin=True))))
    assert [len(r) for r in rows] == [len(r) for r in plain]
    cells = {c for row in rows for c in row}
    assert nasty_cells(name) <= cells


@pytest.mark.parametrize("name", SUMMARY_MODELS)
def test_json_summary_round_trips(name: str) -> None:
    data = json.loads(summary(name, "json"))
    plain = json.loads(summary(name, "json", twin=True))
    assert len(data["rows"]) == len(plain["rows"])
    values = {row["path"] for row in data["rows"]} | {row["type"] for row in data["rows"]}
    assert nasty_cells(name) <= values


@pytest.mark.parametrize("name", SUMMARY_MODELS)
def test_latex_summary_keeps_its_rows(name: str) -> None:
    nasty, plain = summary(name, "latex"), summary(name, "latex", twin=True)
    row_ends = re.compile(r"\\\\\s*$")
    assert sum(bool(row_ends.search(x)) for x in nasty.splitlines()) == sum(
        bool(row_ends.search(x)) for x in plain.splitlines()
    )
    body = "\n".join(x for x in nasty.splitlines() if not x.startswith("%"))
    assert "\\input" not in body.replace("\\textbackslash{}input", "")
    assert not re.search(r"(?<!\\)[#$^~_]", body.replace("$\\times$", "")), body


@pytest.mark.needs_latex
@pytest.mark.parametrize("name", SUMMARY_MODELS)
def test_latex_summary_compiles(name: str, tmp_path: Path) -> None:
    table = summary(name, "latex")
    doc = (
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs}\n"
        f"\\begin{{document}}\n{table}\n\\end{{document}}\n"
    )
    (tmp_path / "t.tex").write_text(doc)
    proc = subprocess.run(
        [shutil.which("pdflatex") or "pdflatex", "-interaction=nonstopmode", "-halt-on-error",
         "t.tex"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert (tmp_path / "t.pdf").exists()
