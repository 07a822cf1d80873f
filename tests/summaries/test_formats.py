"""The pure formatters: text, Markdown, LaTeX, CSV, JSON, torchsummary."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from netviz.errors import FormatError, UsageError
from netviz.summaries import FORMATS, format_table
from netviz.summaries.latex import escape as latex_escape
from netviz.summaries.markdown import escape as md_escape
from netviz.summaries.table import GroupRow, SummaryTable

GOLDEN = Path(__file__).parents[1] / "golden" / "summary"
SUFFIX = {"text": "txt", "markdown": "md", "latex": "tex", "csv": "csv", "json": "json"}


@pytest.mark.parametrize("name", ["wrn28_2", "resnet18"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "csv", "json"])
def test_golden(table_of, golden, name: str, fmt: str) -> None:
    golden(f"summary/{name}.{SUFFIX[fmt]}", format_table(table_of(name), fmt))


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "csv", "json"])
def test_golden_by_group(table_of, groups_of, golden, fmt: str) -> None:
    text = format_table(table_of("wrn28_2"), fmt, groups=groups_of("wrn28_2"))
    golden(f"summary/wrn28_2.by-group.{SUFFIX[fmt]}", text)


@pytest.mark.parametrize("name", ["mdnc_bottleneck2d_ex1", "mdnc_bottleneck2d_ex2"])
def test_torchsummary_reproduces_the_mdnc_documentation(table_of, name: str) -> None:
    # Copied from ../shared/reference/mdnc-bottleneck2d-examples.txt; read directly
    # (not through the golden fixture) so --regen-golden can never rewrite them.
    expected = (GOLDEN / f"{name}.torchsummary.txt").read_text()
    actual = format_table(table_of(name), "torchsummary")
    assert actual.splitlines() == expected.splitlines()
    assert actual == expected


def test_torchsummary_of_a_resnet_lists_blocks_after_their_layers(table_of) -> None:
    lines = format_table(table_of("resnet18"), "torchsummary").splitlines()
    assert lines[1] == "        Layer (type)               Output Shape         Param #"
    assert lines[3].split() == ["Conv2d-1", "[-1,", "64,", "112,", "112]", "9,408"]
    # mdnc's revision lists the model itself last (the original torchsummary did not)
    assert lines[-12].split() == ["Linear-68", "[-1,", "1000]", "513,000"]
    assert lines[-11].split() == ["ResNet-69", "[-1,", "1000]", "0"]
    assert "Total params: 11,689,512" in lines
    assert not any("Sequential" in line for line in lines)
    # as in torchsummary's well-known resnet18 table: a block follows its layers
    assert [line.split()[0] for line in lines[3:15]] == [
        "Conv2d-1", "BatchNorm2d-2", "ReLU-3", "MaxPool2d-4", "Conv2d-5", "BatchNorm2d-6",
        "ReLU-7", "Conv2d-8", "BatchNorm2d-9", "ReLU-10", "BasicBlock-11", "Conv2d-12",
    ]


def test_torchsummary_shortens_long_names(tricky_table: SummaryTable) -> None:
    from dataclasses import replace

    rows = list(tricky_table.rows)
    rows[1] = replace(rows[1], type="AVeryLongModuleClassName")
    text = format_table(replace(tricky_table, rows=tuple(rows)), "torchsummary")
    assert "AVeryLon...assName-1 " in text


def test_latex_escapes_every_special_character(tricky_table: SummaryTable) -> None:
    assert latex_escape("a&b%c$d#e_f{g}h~i^j\\k<l>m|n") == (
        r"a\&b\%c\$d\#e\_f\{g\}h\textasciitilde{}i\textasciicircum{}j\textbackslash{}k"
        r"\textless{}l\textgreater{}m\textbar{}n"
    )
    text = format_table(tricky_table, "latex", depth=2)
    assert r"\texttt{stem\_\{1\}}" in text
    assert r"Seq\textasciitilde{}\textasciicircum{}\textbackslash{}\textless{}\textgreater{}\textbar{}" in text
    assert r"\texttt{body.c\#d}" in text
    assert r"1$\times$3 & 1,000 & 64,000 \\" in text
    assert "Total &  &  &  & 1,158 & 70,962 \\\\" in text
    assert "Trainable &  &  &  & 158 &  \\\\" in text
    assert "\\begin{table}" not in text
    body = text.split("\\begin{tabular}", 1)[1]
    for raw in "&%$#_{}~^":
        stripped = body.replace("\\" + raw, "").replace(" & ", "").replace("{", "").replace("}", "")
        if raw in "{}":
            continue
        assert raw not in stripped.replace("\\textasciitilde", "").replace("$\\times$", ""), raw


def test_latex_table_wrapper(tricky_table: SummaryTable) -> None:
    text = format_table(tricky_table, "latex", caption="WRN_28 & 50% of #1", label="tab:wrn-28_2")
    lines = text.splitlines()
    assert lines[:4] == [
        "\\begin{table}[htbp]",
        "\\centering",
        r"\caption{WRN\_28 \& 50\% of \#1}",
        "\\label{tab:wrn-28_2}",
    ]
    assert lines[-1] == "\\end{table}"
    assert format_table(tricky_table, "latex", label="tab:x").count("\\caption") == 0
    with pytest.raises(UsageError, match="invalid --label"):
        format_table(tricky_table, "latex", label="tab{x}")


def test_markdown_table_structure(tricky_table: SummaryTable) -> None:
    lines = format_table(tricky_table, "markdown", depth=2).splitlines()
    assert lines[0] == "| Layer | Type | Output shape | Kernel | Params | Mult-adds |"
    assert lines[1] == "|:---|:---|:---|:---|---:|---:|"
    assert all(line.startswith("|") and line.endswith("|") for line in lines)
    assert len({line.count(" | ") for line in lines if not line.startswith("|:")}) == 1
    assert lines[2].startswith(r"| `my_net%1` | Net\_&amp;%$# |")  # the model name is code too
    assert "| `stem_{1}` | Conv2d | 4x8x8 | 3x3 | 108 | 6,912 |" in lines
    assert r"Seq~^\\&lt;&gt;\|" in lines[4]
    assert lines[-2] == "| **Total** |  |  |  | **1,158** | **70,962** |"
    assert lines[-1] == "| **Trainable** |  |  |  | **158** |  |"
    assert md_escape("a_b*c|d<e&") == r"a\_b\*c\|d&lt;e&amp;"


def test_text_is_aligned(tricky_table: SummaryTable) -> None:
    lines = format_table(tricky_table, "text", depth=2).splitlines()
    assert lines[0] == "my_net%1 (Net_&%$#), input 3x8x8"
    rule = lines[1]
    assert set(rule) == {"="} and lines[3] == rule
    header = lines[2]
    params_end = header.index("Params") + len("Params")
    table_rows = lines[4:10]
    assert [r.split()[0] for r in table_rows] == ["my_net%1", "stem_{1}", "body", "a_b", "c#d", "fc"]
    assert table_rows[3].startswith("    a_b ")  # indented by depth
    for line in table_rows:
        assert line[params_end - 1] != " "  # right-aligned numbers end in the same column
    assert "Total params: 1,158" in lines
    assert "Non-trainable params: 1,000" in lines
    assert "Total mult-adds: 70,962 (0.07 M)" in lines
    assert all(line == line.rstrip() for line in lines)


def test_csv_round_trips(tricky_table: SummaryTable) -> None:
    text = format_table(tricky_table, "csv", depth=2)
    records = list(csv.DictReader(io.StringIO(text)))
    assert list(records[0]) == [
        "path", "name", "type", "depth", "input_shape", "output_shape", "kernel", "params",
        "trainable_params", "mult_adds", "recursive", "executed",
    ]
    assert [r["path"] for r in records] == [r.path for r in tricky_table.rows]
    assert records[2]["type"] == "Seq~^\\<>|"
    assert records[3]["kernel"] == "1x3" and records[3]["params"] == "1000"
    assert records[0]["kernel"] == ""
    assert sum(int(r["params"]) for r in records) == tricky_table.total_params


def test_json_document(tricky_table: SummaryTable) -> None:
    text = format_table(tricky_table, "json", depth=1)
    doc = json.loads(text)
    assert list(doc)[:7] == [
        "model", "model_type", "input_shape", "input_shapes", "total_params",
        "trainable_params", "non_trainable_params",
    ]
    assert doc["total_params"] == 1158 and doc["trainable_params"] == 158
    assert doc["mult_adds"] == 70962 and doc["input_shape"] == [3, 8, 8]
    assert doc["view"] == "layers" and doc["depth"] == 1
    assert [r["path"] for r in doc["rows"]] == ["", "stem_{1}", "body", "fc"]
    assert doc["rows"][2]["params"] == 1000 and doc["rows"][2]["trainable_params"] == 0
    assert sum(r["mult_adds"] for r in doc["rows"]) == doc["mult_adds"]
    assert format_table(tricky_table, "json", depth=1) == text


def test_group_view_in_every_format(tricky_table: SummaryTable) -> None:
    groups = (
        GroupRow("Stem", 0, 108, 108, 6912, (4, 8, 8)),
        GroupRow("Group 0 x (N - 1) = 2", 2, 1000, 0, 64000, (4, 8, 8)),
        GroupRow("Head", 0, 50, 50, 50, (10,)),
    )
    doc = json.loads(format_table(tricky_table, "json", groups=groups))
    assert doc["view"] == "groups" and doc["depth"] is None
    assert doc["rows"][1] == {
        "group": "Group 0 x (N - 1) = 2", "blocks": 2, "output_shape": [4, 8, 8],
        "params": 1000, "trainable_params": 0, "mult_adds": 64000,
    }
    text = format_table(tricky_table, "text", groups=groups)
    assert "Group 0 x (N - 1) = 2       2  4x8x8" in text
    assert "| Group 0 x (N - 1) = 2 | 2 | 4x8x8 | 1,000 | 64,000 |" in format_table(
        tricky_table, "markdown", groups=groups
    )
    assert "Group 0 $\\times$ ($N-1$) = 2 & 2 & 4$\\times$8$\\times$8 & 1,000 & 64,000 \\\\" in format_table(
        tricky_table, "latex", groups=groups
    )
    assert format_table(tricky_table, "csv", groups=groups).splitlines()[0] == (
        "group,blocks,output_shape,params,trainable_params,mult_adds"
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"fmt": "yaml"}, FormatError, "unknown summary format 'yaml'"),
        ({"fmt": "text", "depth": -1}, UsageError, "--depth must be 0 or more, not -1"),
        ({"fmt": "torchsummary", "groups": ()}, UsageError, "--by-group is not available"),
        ({"fmt": "markdown", "caption": "x"}, UsageError, "latex format only"),
    ],
)
def test_bad_options(tricky_table: SummaryTable, kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        format_table(tricky_table, **kwargs)


def test_formats_are_deterministic(tricky_table: SummaryTable) -> None:
    for fmt in FORMATS:
        assert format_table(tricky_table, fmt) == format_table(tricky_table, fmt)
