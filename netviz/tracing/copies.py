"""Copy a leaf's IR nodes, its parameters counted as tracing the call counts them.

A later call of a repeated block traced as one fx node (a
[`Leaf`][netviz.tracing.leaves.Leaf]) gets the IR nodes of the alike call it took its
values from ([`copy_leaf`][netviz.tracing.leaves.copy_leaf]); the parameters of its
module count there, so each must be counted for the first time, as tracing the call
would count it.
"""

from __future__ import annotations

import torch.fx
from torch import nn

from netviz.ir import Edge, Node
from netviz.tracing.leaves import Leaf, Plan, Unstampable, copy_leaf
from netviz.tracing.params import ParamLedger
from netviz.tracing.stamps import Instance


def _walk(module: nn.Module) -> list[tuple[str, nn.Module]]:
    """``module`` and its submodules with their paths below it (``""``: itself,
    ``".conv"``, ...), depth first, a module held twice met twice."""
    found: list[tuple[str, nn.Module]] = []
    todo = [("", module)]
    while todo:
        path, sub = todo.pop()
        found.append((path, sub))
        children = sub._modules
        if children:
            todo += [(f"{path}.{name}", c) for name, c in children.items() if c is not None]
    return found


def _params_below(module: nn.Module) -> list:
    """Every parameter of ``module`` and its submodules (``parameters()`` without its
    generators; a tensor may come twice)."""
    return [p for _, sub in _walk(module) for p in sub._parameters.values() if p is not None]


def _holders(module: nn.Module) -> list[str]:
    """The paths below ``module`` of the modules holding parameters, in the order
    ``_params_below`` meets them."""
    return [path for path, sub in _walk(module) if sub._parameters]


def _leaf_params(leaf: Leaf, done: Instance, modules: dict[str, nn.Module],
                 holders: dict[int, list[str]]) -> list:
    """``_params_below`` the module of ``leaf``, read at the paths holding parameters
    below the module of ``done`` (found once per call copied): the two share a
    fingerprint, so the same submodules and parameters by name."""
    below = holders.get(id(done))
    if below is None:
        below = holders[id(done)] = _holders(modules[done.path])
    path = leaf.path
    try:
        return [p for at in below for p in modules[path + at]._parameters.values()
                if p is not None]
    except KeyError:  # not in the table of paths (named_modules lists a module once)
        return _params_below(modules[path])


def copy_leaf_call(
    leaf: Leaf, done: Instance | None, stale: set[torch.fx.Node], modules: dict[str, nn.Module],
    ledger: ParamLedger, made: dict[torch.fx.Node, tuple[int, int, int]],
    ids: dict[torch.fx.Node, str], axes: dict[torch.fx.Node, int | None], nodes: list[Node],
    edges: list[Edge], plans: dict[int, Plan], holders: dict[int, list[str]],
) -> None:
    """The IR nodes of ``leaf``: ``done``'s, when every parameter either holds counts
    there for the first time (as tracing the call would count it). ``holders``: see
    ``_leaf_params``."""
    if done is None or not stale.isdisjoint(done.nodes):
        raise Unstampable(leaf.key, "the alike call's parameters were counted before it")
    if not ledger.claim(_leaf_params(leaf, done, modules, holders)):
        raise Unstampable(leaf.key, "the block's parameters were counted before its call")
    copy_leaf(leaf, done, made, ids, axes, nodes, edges, plans)
