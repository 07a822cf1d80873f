"""A run of alike later calls, each reading only the one before, as one fx node.

A deep stage calls hundreds of alike blocks in a row, each on the output of the one
before (``nn.Sequential``). Each later call is a [`Leaf`][netviz.tracing.leaves.Leaf]
(one fx node instead of the template's); a leaf whose only input is the node of the leaf
made just before, with no node made since and none reading it yet, joins that node
instead of making one: the node then stands for the whole run, its leaves in
``chain``. Propagating shapes takes each leaf's values in turn
([`netviz.tracing.reuse`][netviz.tracing.reuse]) and the IR build copies each leaf's
nodes ([`netviz.tracing.build`][netviz.tracing.build]), so the graph is the one a node
per leaf gives. Each leaf still takes its nodes' names from fx's namespace when it is
made, in the same order, so every other node keeps its name.

The proxy the earlier leaf returned must not be read again once the next joined: it is
pointed at a node outside the graph (one per template), and a trace that used it
(``check_runs``) is made again with that template's calls stamped node by node.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import torch.fx

from netviz.tracing.leaves import Leaf, Unstampable

if TYPE_CHECKING:
    from netviz.tracing.stamps import Stamps, Template


class Runs:
    """What joining leaves into runs needs while tracing.

    Attributes:
        last: The leaf made last, the proxy it returned, and how many nodes the graph
            had then (``None``: no leaf yet).
        spent: Per template key, the node the proxies of joined leaves now point to.
    """

    __slots__ = ("last", "spent")

    def __init__(self) -> None:
        self.last: tuple[Leaf, torch.fx.Proxy, int] | None = None
        self.spent: dict[Hashable, torch.fx.Node] = {}


def joined_onto(tracer: Any, runs: Runs, key: Hashable, template: Template,
                inputs: list[torch.fx.Node]) -> Leaf | None:
    """The leaf a call given ``inputs`` joins (see the module's doc), or ``None``."""
    last = runs.last
    if last is None or len(inputs) != 1:
        return None
    leaf, proxy, count = last
    node = leaf.node
    if (inputs[0] is not node or leaf.key != key or leaf.template is not template
            or node.users or len(tracer.graph.nodes) != count):
        return None
    spent = runs.spent.get(key)
    if spent is None:
        spent = runs.spent[key] = torch.fx.Node(
            tracer.graph, "_netviz_spent", "placeholder", "_netviz_spent", (), {})
    proxy.node = spent  # reading it again now makes a node read ``spent``
    return leaf


def noted(tracer: Any, runs: Runs, leaf: Leaf, proxy: torch.fx.Proxy) -> torch.fx.Proxy:
    """Note the leaf just made and the proxy it returns (returned)."""
    runs.last = (leaf, proxy, len(tracer.graph.nodes))
    return proxy


def check_runs(stamps: Stamps | None) -> None:
    """Raise when a joined leaf's output was read after the next leaf joined it.

    Raises:
        Unstampable: For that template.
    """
    runs = stamps.runs if stamps is not None else None
    if runs is None:
        return
    for key, spent in runs.spent.items():
        if spent.users:
            raise Unstampable(key, "the output of a block in a run is read again")
