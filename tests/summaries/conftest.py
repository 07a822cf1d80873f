"""Shared fixtures for the summary tests: cached tables of the registered models,
and a small hand-built table for the pure formatter tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from netviz.summaries.table import GroupRow, LayerRow, SummaryTable

_TABLES: dict[str, SummaryTable] = {}
_GROUPS: dict[str, tuple[GroupRow, ...]] = {}


@pytest.fixture(scope="session")
def table_of() -> Callable[[str], SummaryTable]:
    """The summary table of a registered model, collected once per session."""
    from netviz.summaries import collect_table

    def get(name: str) -> SummaryTable:
        if name not in _TABLES:
            _TABLES[name] = collect_table(name)
        return _TABLES[name]

    return get


@pytest.fixture(scope="session")
def groups_of(table_of: Callable[[str], SummaryTable]) -> Callable[[str], tuple[GroupRow, ...]]:
    """The by-group rows of a registered model (diagram clusters), once per session."""
    from netviz.summaries import diagram_groups

    def get(name: str) -> tuple[GroupRow, ...]:
        if name not in _GROUPS:
            _GROUPS[name] = diagram_groups(name, None, table_of(name))
        return _GROUPS[name]

    return get


def row(index: int, path: str, type_: str, **fields: object) -> LayerRow:
    """A layer row with sensible defaults for hand-built tables."""
    values: dict[str, object] = {
        "index": index,
        "path": path,
        "name": path.rsplit(".", 1)[-1] if path else "m",
        "type": type_,
        "depth": path.count(".") + 1 if path else 0,
        "input_shape": (3, 8, 8),
        "output_shape": (4, 8, 8),
        "kernel": None,
        "params": 0,
        "trainable_params": 0,
        "mult_adds": 0,
        "leaf": True,
        "finish": index,
    }
    values.update(fields)
    return LayerRow(**values)  # type: ignore[arg-type]


@pytest.fixture
def tricky_table() -> SummaryTable:
    """A small table whose names hold every LaTeX/Markdown special character."""
    rows = (
        row(0, "", "Net_&%$#", leaf=False, output_shape=(10,), finish=5),
        row(1, "stem_{1}", "Conv2d", kernel=(3, 3), params=108, trainable_params=108,
            mult_adds=6912, finish=0),
        row(2, "body", "Seq~^\\<>|", leaf=False, container=True, finish=3),
        row(3, "body.a_b", "Conv2d", kernel=(1, 3), params=1000, trainable_params=0,
            mult_adds=64000, finish=1),
        row(4, "body.c#d", "ReLU", finish=2),
        row(5, "fc", "Linear", output_shape=(10,), params=50, trainable_params=50,
            mult_adds=50, finish=4),
    )
    return SummaryTable(
        model="my_net%1",
        model_type="Net_&%$#",
        input_shapes=((3, 8, 8),),
        rows=rows,
        total_params=1158,
        trainable_params=158,
        mult_adds=70962,
        input_bytes=768,
        param_bytes=4632,
        forward_backward_bytes=10000,
    )
