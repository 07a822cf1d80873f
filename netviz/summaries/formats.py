"""Summary formats and their options, and one formatter per format (pure: no torch, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence

from netviz.errors import FormatError, UsageError
from netviz.summaries.table import GroupRow, SummaryTable
from netviz.vocabulary import SUMMARY_FORMATS, SUMMARY_SUFFIXES

FORMATS = SUMMARY_FORMATS
"""Summary formats, the first is the default ([`netviz.vocabulary`][netviz.vocabulary])."""

SUFFIXES = SUMMARY_SUFFIXES
"""Output file suffixes and the format each implies (``torchsummary`` only by name;
[`netviz.vocabulary`][netviz.vocabulary])."""

DEFAULT_DEPTH = 3
"""Deepest module level a per-layer summary lists by default."""


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
        fmt: One of [`FORMATS`][netviz.summaries.formats.FORMATS].
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
