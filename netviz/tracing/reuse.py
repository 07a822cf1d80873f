"""Propagate shapes through each distinct block once: stamped calls reuse what an alike
call found.

A call stamped from a template ([`netviz.tracing.stamps`][netviz.tracing.stamps]) runs
the template's ops on its own inputs. When those inputs are alike (the same shapes,
strides, dtypes, on the meta device, carrying no values) the ops give the same results
as the first such call did: each node's recorded
[`Value`][netviz.tracing.propagation.Value] is the one of that call's node in the same place, and
the tensors leaving the call are blank meta tensors of the same shapes and strides.
Anything else (a real device, an input carrying values, a result that is not one meta
tensor) is propagated op by op.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import torch
import torch.fx

from netviz.tracing.carried import VALUE_ATTRIBUTE as _VALUE
from netviz.tracing.leaves import Unstampable
from netviz.tracing.stamps import Instance, Stamps

_META = torch.device("meta")
Layout = tuple[tuple[int, ...], tuple[int, ...], torch.dtype]


class Reuse:
    """What the shape interpreter needs to skip stamped calls alike an earlier one."""

    def __init__(self, stamps: Stamps) -> None:
        self.first: dict[torch.fx.Node, Instance] = {}
        for instance in stamps.instances:
            if instance.nodes:
                self.first.setdefault(instance.nodes[0], instance)
        self.done: dict[tuple[int, Hashable], Instance] = {}  # (template, inputs) -> call
        self.ready: dict[torch.fx.Node, Any] = {}  # results of skipped nodes
        self.layouts: dict[torch.fx.Node, Layout | None] = {}  # of the tensors leaving calls
        self._leaving: dict[int, list[int]] = {}  # template -> places of nodes leaving it
        self.leaves = stamps.made  # calls traced as one node
        self.sources = stamps.sources  # leaf node -> the call it copies

    def start(self, node: torch.fx.Node, env: dict[torch.fx.Node, Any],
              values: dict[str, Any]) -> bool:
        """At the first node of a call: take its nodes' values and results from an alike
        call if there was one (``True``; ``ready`` then holds the results)."""
        instance = self.first[node]
        key = _inputs_key(instance.inputs, env)
        if key is None:
            return False
        template = id(instance.template)
        leaving = self._leaving.get(template)
        if leaving is None:
            leaving = self._leaving[template] = _leaving(instance)
        done = self.done.get((template, key))
        if done is None:
            self.done[(template, key)] = instance
            for place in leaving:
                self.layouts[instance.nodes[place]] = None
            return False
        if any(self.layouts.get(done.nodes[place]) is None for place in leaving):
            return False  # what left that call was not one plain meta tensor
        for mine, theirs in zip(instance.nodes, done.nodes):
            values[mine.name] = values[theirs.name]
        for place in leaving:
            layout = self.layouts[done.nodes[place]]
            assert layout is not None
            size, stride, dtype = layout
            self.ready[instance.nodes[place]] = torch.empty_strided(
                size, stride, dtype=dtype, device=_META)
        for mine in instance.nodes:
            self.ready.setdefault(mine, None)
        return True

    def leaf(self, node: torch.fx.Node, env: dict[torch.fx.Node, Any],
             values: dict[str, Any]) -> torch.Tensor:
        """A call traced as one node (see [`netviz.tracing.leaves`][netviz.tracing.leaves]),
        or a run of them (each reading the one before: see
        [`netviz.tracing.runs`][netviz.tracing.runs]): each one's would-be nodes take the
        values of an alike earlier call stamped node by node, the first of its module,
        whose only node used after it is the one it returns.

        Raises:
            Unstampable: There is no such call.
        """
        key: Hashable | None = None
        layout: Layout | None = None
        done: Instance | None = None
        for leaf in self.leaves[node].chain:
            # a leaf in a run reads the blank tensor the one before returns: its layout
            key = _inputs_key(leaf.inputs, env) if leaf.prior is None else (layout,)
            template = id(leaf.template)
            done = self.done.get((template, key)) if key is not None else None
            if done is None or not done.fresh:
                raise Unstampable(leaf.key, "no alike call stamped node by node before")
            leaving = self._leaving.get(template)
            if leaving is None:
                leaving = self._leaving[template] = _leaving(done)
            layout = self.layouts.get(done.nodes[leaf.out])
            if leaving != [leaf.out] or layout is None:
                raise Unstampable(leaf.key, "the alike call returns more than one meta tensor")
            for name, theirs in zip(leaf.names, done.nodes):
                values[name] = values[theirs.name]
            leaf.source = done
        assert done is not None and layout is not None
        values[node.name] = values[done.nodes[leaf.out].name]
        self.sources[node] = done
        size, stride, dtype = layout
        return torch.empty_strided(size, stride, dtype=dtype, device=_META)

    def noted(self, node: torch.fx.Node, result: Any) -> None:
        """Keep the layout of a result leaving a call others may reuse."""
        if node in self.layouts and type(result) is torch.Tensor and result.is_meta \
                and not hasattr(result, _VALUE):
            self.layouts[node] = (tuple(result.shape), tuple(result.stride()), result.dtype)


def _leaving(instance: Instance) -> list[int]:
    """Places (in the template's order) of the nodes used after the call."""
    inside = set(instance.nodes)
    return [i for i, node in enumerate(instance.nodes)
            if any(user not in inside for user in node.users)]


def _inputs_key(inputs: list[torch.fx.Node], env: dict[torch.fx.Node, Any]) -> Hashable | None:
    """What a call's results depend on in its ``inputs``: each one's layout; ``None``
    when an input is not a plain meta tensor without a value."""
    key = []
    for node in inputs:
        value = env.get(node)
        if type(value) is not torch.Tensor or not value.is_meta or hasattr(value, _VALUE) \
                or value.requires_grad:
            return None
        key.append((tuple(value.shape), value.stride(), value.dtype))
    return tuple(key)
