"""The seed's pseudocode listing (owned by the lead; work in progress)."""

from __future__ import annotations

from netviz.ir import Graph


def render_pseudocode(graph: Graph) -> str:
    """Render the unfolded notation graph as the seed's listing."""
    raise NotImplementedError
