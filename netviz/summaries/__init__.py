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

from netviz.ir import Shape
from netviz.summaries.formats import (
    DEFAULT_DEPTH,
    FORMATS,
    SUFFIXES,
    check_options,
    format_table,
    resolve_view,
)
from netviz.summaries.table import GroupRow, LayerRow, SummaryTable
from netviz.summaries.tables import collect_table, diagram_groups

if TYPE_CHECKING:
    from netviz.summaries.summary import Summary

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
