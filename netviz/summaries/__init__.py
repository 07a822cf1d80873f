"""Summaries of a model: torchinfo -> a table of raw numbers -> one formatter per format.

[`collect`][netviz.summaries.collect] is the only module that imports torchinfo;
everything else here is pure functions over a
[`SummaryTable`][netviz.summaries.table.SummaryTable], so each format is tested
without torch. [`plot`][netviz.summaries.plot] draws matplotlib charts.

Examples:
    >>> import json
    >>> from netviz.summaries import summarize
    >>> json.loads(summarize("wrn28_2", "json", depth=1))["total_params"]
    1467610
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from netviz.errors import FormatError, UsageError
from netviz.ir import Shape
from netviz.summaries.table import GroupRow, LayerRow, SummaryTable

if TYPE_CHECKING:
    from netviz.summaries.summary import Summary

FORMATS = ("text", "markdown", "latex", "csv", "json", "torchsummary")
"""Summary formats, the first is the default."""

SUFFIXES = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".tex": "latex",
    ".csv": "csv",
    ".json": "json",
}
"""Output file suffixes and the format each implies (``torchsummary`` only by name)."""

DEFAULT_DEPTH = 3
"""Deepest module level a per-layer summary lists by default."""

__all__ = [
    "DEFAULT_DEPTH",
    "FORMATS",
    "SUFFIXES",
    "GroupRow",
    "LayerRow",
    "SummaryTable",
    "check_options",
    "collect_table",
    "diagram_groups",
    "format_table",
    "resolve_view",
    "summarize",
]


def summarize(
    spec: Any,
    fmt: str = "text",
    *,
    input_shapes: Sequence[Shape] | None = None,
    depth: int | None = None,
    by_group: bool | None = None,
    caption: str | None = None,
    label: str | None = None,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    inputs: Any = None,
    trust_remote_code: bool = False,
) -> Summary:
    """Summarize a model in one of [`FORMATS`][netviz.summaries.FORMATS].

    Returns:
        The [`Summary`][netviz.summaries.summary.Summary]: the text in ``fmt`` (a
        ``str``), which also displays as an HTML table in Jupyter and gives the
        other formats.

    Args:
        spec: Model spec: registered name, ``module:attr``, ``file.py:attr`` or ``nn.Module``.
        fmt: Output format.
        input_shapes: Input shapes without the batch dimension; default: the registered ones.
        depth: Deepest module level shown (0 = the model alone; default 3); ignored by
            ``torchsummary``.
        by_group: One row per diagram group (stem, block clusters, head) instead of per
            layer; default: per group for ``latex`` unless ``depth`` is given (a page),
            else per layer (see [`resolve_view`][netviz.summaries.resolve_view]).
        caption: LaTeX only: wrap the tabular in a ``table`` with this caption.
        label: LaTeX only: the ``\\label`` of that table.
        input_dtypes: Dtype name per input; default: the registered ones.
        train: Summarize the training-mode forward.
        inputs: Keyword inputs (see [`netviz.api.trace`][netviz.api.trace]).
        trust_remote_code: Let a checkpoint folder's own modeling code run.

    Raises:
        FormatError: Unknown format.
        UsageError: ``depth < 0``, or an option the format does not take.
    """
    from netviz.summaries.summary import Summary

    depth, by_group = resolve_view(fmt, depth, by_group)
    check_options(fmt, depth=depth, by_group=by_group, caption=caption, label=label)
    model = {"input_dtypes": input_dtypes, "train": train, "inputs": inputs,
             "trust_remote_code": trust_remote_code}
    table = collect_table(spec, input_shapes, **model)
    groups = diagram_groups(spec, input_shapes, table, **model) if by_group else None
    return Summary(table, fmt, depth=depth, groups=groups, caption=caption, label=label)


def resolve_view(fmt: str, depth: int | None, by_group: bool | None) -> tuple[int, bool]:
    """The rows a summary shows when ``depth`` or ``by_group`` is left out (``None``).

    LaTeX is for a paper's page, so it lists diagram groups unless a depth is given;
    every other format lists layers down to depth 3 unless ``by_group`` is set.

    Returns:
        ``(depth, by_group)``.
    """
    if by_group is None:
        by_group = fmt == "latex" and depth is None
    return (DEFAULT_DEPTH if depth is None else depth), by_group


def check_options(
    fmt: str,
    *,
    depth: int = 3,
    by_group: bool = False,
    caption: str | None = None,
    label: str | None = None,
) -> None:
    """Validate summary options before any model is loaded.

    Raises:
        FormatError: Unknown format.
        UsageError: ``depth < 0``, ``by_group`` with ``torchsummary``, or a caption or
            label for a format other than ``latex``, or a malformed label.
    """
    if fmt not in FORMATS:
        raise FormatError(f"unknown summary format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if depth < 0:
        raise UsageError(f"--depth must be 0 or more, not {depth}")
    if by_group and fmt == "torchsummary":
        raise UsageError("--by-group is not available in the torchsummary format")
    if (caption is not None or label is not None) and fmt != "latex":
        raise UsageError(f"--caption and --label apply to the latex format only, not {fmt}")
    if label is not None:
        from netviz.summaries.latex import check_label

        check_label(label)


def collect_table(
    spec: Any,
    input_shapes: Sequence[Shape] | None = None,
    *,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    inputs: Any = None,
    trust_remote_code: bool = False,
) -> SummaryTable:
    """Load ``spec`` and collect its [`SummaryTable`][netviz.summaries.table.SummaryTable]."""
    from netviz.summaries.collect import collect_model

    return collect_model(spec, input_shapes, input_dtypes=input_dtypes, train=train,
                         inputs=inputs, trust_remote_code=trust_remote_code)


def diagram_groups(
    spec: Any,
    input_shapes: Sequence[Shape] | None,
    table: SummaryTable,
    *,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    inputs: Any = None,
    trust_remote_code: bool = False,
) -> tuple[GroupRow, ...]:
    """Group ``table`` by the clusters of the model's diagram (``netviz.api.diagram``)."""
    from netviz.api import diagram
    from netviz.summaries.groups import group_rows

    return group_rows(table, diagram(spec, input_shapes, input_dtypes=input_dtypes, train=train,
                                     inputs=inputs, trust_remote_code=trust_remote_code).graph)


def format_table(
    table: SummaryTable,
    fmt: str,
    *,
    depth: int = 3,
    groups: Sequence[GroupRow] | None = None,
    caption: str | None = None,
    label: str | None = None,
) -> str:
    """Format a collected table (pure: no torch, no I/O).

    Args:
        table: The collected table.
        fmt: One of [`FORMATS`][netviz.summaries.FORMATS].
        depth: Deepest module level shown in a per-layer view.
        groups: Group rows for a by-group view, or ``None`` for the per-layer view.
        caption: LaTeX caption.
        label: LaTeX label.
    """
    check_options(fmt, depth=depth, by_group=groups is not None, caption=caption, label=label)
    if fmt == "torchsummary":
        from netviz.summaries.torchsummary import render_torchsummary

        return render_torchsummary(table)
    if fmt in ("csv", "json"):
        from netviz.summaries import machine

        if groups is None:
            records = machine.layer_records(table, depth)
        else:
            records = machine.group_records(groups)
        if fmt == "csv":
            return machine.render_csv(records)
        view = "layers" if groups is None else "groups"
        return machine.render_json(table, records, view, depth if groups is None else None)
    from netviz.summaries.view import group_sheet, layer_sheet

    if groups is None:  # LaTeX's block rows show their subtotals, for a paper's table
        sheet = layer_sheet(table, depth, subtotals=fmt == "latex")
    else:
        sheet = group_sheet(table, groups)
    if fmt == "markdown":
        from netviz.summaries.markdown import render_markdown

        return render_markdown(sheet)
    if fmt == "latex":
        from netviz.summaries.latex import render_latex

        return render_latex(sheet, caption=caption, label=label)
    from netviz.summaries.text import render_text

    return render_text(sheet, table)
