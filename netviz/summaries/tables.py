"""A model's summary table and its diagram groups, from a model spec."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from netviz.ir import Shape
from netviz.summaries.table import GroupRow, SummaryTable


def collect_table(
    spec: Any,
    input_shapes: Sequence[Shape] | None = None,
    *,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    inputs: Any = None,
    trust_remote_code: bool = False,
) -> SummaryTable:
    """Load ``spec`` and collect its [`SummaryTable`][netviz.summaries.table.SummaryTable]
    (``inputs`` and ``trust_remote_code`` as for [`netviz.api.trace`][netviz.api.trace])."""
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
    """Group ``table`` by the clusters of the model's diagram (``netviz.api.diagram``'s)."""
    from netviz import traced
    from netviz.summaries.groups import group_rows
    from netviz.transforms import NotationOptions

    graph = traced.notation(spec, input_shapes, NotationOptions(fold=True, shapes=False),
                            input_dtypes, train, inputs, trust_remote_code)
    return group_rows(table, graph)
