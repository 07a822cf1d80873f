"""Machine-readable summaries: CSV and JSON with raw numbers (no separators, no units)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from netviz.ir import Shape
from netviz.summaries.table import GroupRow, SummaryTable
from netviz.summaries.view import shape_text, shown_rows

Record = dict[str, Any]


def layer_records(table: SummaryTable, depth: int) -> list[Record]:
    """One record per shown layer row, keys in a fixed order.

    ``params`` and ``mult_adds`` are what the row accounts for at this depth
    (its whole subtree when its children are hidden), so they sum to the totals.
    """
    return [
        {
            "path": s.row.path,
            "name": s.row.name,
            "type": s.row.type,
            "depth": s.row.depth,
            "input_shape": _list(s.row.input_shape),
            "output_shape": _list(s.row.output_shape),
            "kernel": _list(s.row.kernel),
            "params": s.params,
            "trainable_params": s.trainable_params,
            "mult_adds": s.mult_adds,
            "recursive": s.row.recursive,
            "executed": s.row.executed,
        }
        for s in shown_rows(table, depth)
    ]


def group_records(groups: Sequence[GroupRow]) -> list[Record]:
    """One record per diagram group, keys in a fixed order."""
    return [
        {
            "group": g.title,
            "blocks": g.blocks,
            "output_shape": _list(g.output_shape),
            "params": g.params,
            "trainable_params": g.trainable_params,
            "mult_adds": g.mult_adds,
        }
        for g in groups
    ]


def render_json(table: SummaryTable, records: list[Record], view: str, depth: int | None) -> str:
    """The JSON document: model totals first, then ``rows`` (one compact row per line).

    Args:
        table: The summary table.
        records: ``layer_records`` or ``group_records``.
        view: ``"layers"`` or ``"groups"``.
        depth: The depth of a layer view, ``None`` for groups.
    """
    head: Record = {
        "model": table.model,
        "model_type": table.model_type,
        "input_shape": _list(table.input_shapes[0]) if table.input_shapes else None,
        "input_shapes": [list(s) for s in table.input_shapes],
        "total_params": table.total_params,
        "trainable_params": table.trainable_params,
        "non_trainable_params": table.non_trainable_params,
        "mult_adds": table.mult_adds,
        "input_bytes": table.input_bytes,
        "param_bytes": table.param_bytes,
        "forward_backward_bytes": table.forward_backward_bytes,
        "total_bytes": table.total_bytes,
        "view": view,
        "depth": depth,
    }
    if table.unreached_params:  # only then, likewise
        head["unreached_params"] = table.unreached_params
    if table.lower_bound:  # only then: other tables' documents stay as they were
        head["mult_adds_lower_bound"] = True
        head["data_dependent"] = list(table.data_dependent)
    lines = ["{"]
    lines += [f"  {json.dumps(key)}: {json.dumps(value)}," for key, value in head.items()]
    if records:
        lines.append('  "rows": [')
        rows = [f"    {json.dumps(r, ensure_ascii=False)}" for r in records]
        lines.append(",\n".join(rows))
        lines.append("  ]")
    else:
        lines.append('  "rows": []')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_csv(records: list[Record]) -> str:
    """CSV with a header row; shapes as ``16x32x32``, missing values empty."""
    if not records:
        return ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(records[0].keys())
    for record in records:
        writer.writerow(_csv_value(v) for v in record.values())
    return out.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return shape_text(tuple(value))
    return value


def _list(shape: Shape | None) -> list[int] | None:
    return None if shape is None else list(shape)
