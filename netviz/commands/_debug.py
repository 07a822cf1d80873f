"""``--debug`` helpers: a plain-text dump of the traced IR for bug reports."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from typing import Any

from netviz.ir import Graph, Shape


def add_note(exc: BaseException, note: str) -> None:
    """``exc.add_note(note)``; Python 3.10 has no notes: kept in ``__notes__`` for the CLI."""
    if sys.version_info >= (3, 11):
        exc.add_note(note)
    else:
        setattr(exc, "__notes__", [*getattr(exc, "__notes__", ()), note])  # noqa: B010


def _value(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ",".join(_value(v) for v in value) + ")"
    return repr(value) if isinstance(value, str) else str(value)


def describe_graph(graph: Graph) -> str:
    """One line per node (id, kind, op, scope, shape, params, attrs, inputs), then clusters.

    Names from user code are written with ``repr``, so every node stays on one line.
    """
    lines = [
        f"IR graph {graph.name!r}: {len(graph.nodes)} nodes, {len(graph.edges)} edges, "
        f"{len(graph.clusters)} clusters"
    ]
    for node in graph.nodes:
        shape = "x".join(map(str, node.shape)) if node.shape is not None else "?"
        attrs = " ".join(f"{k}={_value(v)}" for k, v in node.attrs)
        inputs = ", ".join(
            repr(e.src) + (f" via {'>'.join(e.mark.type_names)}" if e.mark else "")
            for e in graph.in_edges(node.id)
        )
        lines.append(
            f"  {node.id!r}: {node.kind.value} {node.type_name!r} scope={node.scope!r} "
            f"shape={shape} params={node.params}"
            + (f" [{attrs}]" if attrs else "")
            + f" <- [{inputs}]"
        )
    for cluster in graph.clusters:
        lines.append(
            f"  cluster {cluster.id!r}: group {cluster.group} index {cluster.index} "
            f"repeat {cluster.repeat} nodes {len(cluster.node_ids)}"
        )
    return "\n".join(lines)


def partial_ir(spec: Any, input_shapes: Sequence[Shape] | None, **options: Any) -> str:
    """The raw traced IR of ``spec`` as text, or why there is none (tracing failed).

    Traces again (deterministic), so a failure in a transform or renderer can be
    reported with the graph it was given.
    """
    from netviz import api

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graph = api.trace(spec, input_shapes, **options)
    except Exception as exc:  # noqa: BLE001 - this runs while reporting another error
        first = (str(exc).strip().splitlines() or [""])[0]
        return f"netviz debug: no IR: tracing failed ({type(exc).__name__}: {first})"
    return "netviz debug: the traced (raw) IR the pipeline started from:\n" + describe_graph(graph)
