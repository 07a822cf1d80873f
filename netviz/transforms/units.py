"""Find the unit that repeats when the blocks found sit inside it.

Residual sums and joins find the modules whose forward adds or concatenates; the
unit a model repeats is often a module above them:

- a wrapper holds the sum and the block the author named holds the wrapper and more
  (ConvMixer's ``Sequential(Residual(...), conv, act, norm)`` repeated 32 times);
- a layer holds several sums (a transformer layer's attention and feed-forward
  residuals, each in a module of its own, as BERT's ``BertSelfOutput`` and
  ``BertOutput`` inside ``BertLayer``; T5's ``T5LayerSelfAttention`` and
  ``T5LayerFF`` inside ``T5Block``; DaViT's spatial and channel blocks inside one
  ``Sequential``).

Such a module is the block instead, found from structure alone: it is one of several
modules of the same class at the same place of the hierarchy (``encoder.layer.0``,
``encoder.layer.1``, … or ``stages.0.blocks.0``, ``stages.2.blocks.1``: paths equal
once their indices are dropped), it holds two blocks or more, or one and ops of its
own, and those blocks are not a run of their own (then it is a stage). Innermost first,
so that a stage of such units stays a stage.
"""

from __future__ import annotations

import re

from netviz.ir import Graph
from netviz.transforms.scopes import parent

_DIGITS = re.compile(r"\d+")
CONTAINERS = frozenset({"Sequential", "ModuleList", "ModuleDict"})
"""Module classes that only hold others."""


def place(path: str) -> str:
    """A module's place in the hierarchy: its path with numbers dropped
    (``"stages.2.blocks.1"`` → ``"stages.*.blocks.*"``, ``"layer3.0"`` → ``"layer*.*"``)."""
    return _DIGITS.sub("*", path)


def _key(types: dict[str, str], path: str) -> tuple[str, str]:
    """Modules alike: the same class, children of modules at the same place."""
    return types.get(path, ""), place(parent(path))


def promote_units(graph: Graph, blocks: set[str], weights: dict[str, int]) -> set[str]:
    """Replace blocks by the repeated modules holding them (see the module docs).

    Args:
        graph: The graph (its ``modules`` give the hierarchy).
        blocks: Module paths of the blocks found so far.
        weights: Drawn ops per module path (a module without any is never a unit).

    Returns:
        The blocks, with every unit in place of the blocks it holds.
    """
    types = graph.module_types
    alike: dict[tuple[str, str], list[str]] = {}
    for path in types:
        if path and weights.get(path, 0):
            alike.setdefault(_key(types, path), []).append(path)
    kinds = sorted((k for k, paths in alike.items() if len(paths) >= 2),
                   key=lambda k: -max(p.count(".") for p in alike[k]))
    first: dict[str, int] = {}
    for index, node in enumerate(graph.nodes):
        path = node.scope
        while path and path not in first:
            first[path] = index
            path = parent(path)
    found = set(blocks)
    for kind in kinds:
        below = _below(found)
        inner = {u: sorted(below.get(u, ()), key=lambda b: first.get(b, 0)) for u in alike[kind]}
        if any(_is_run(types, held) for held in inner.values()):
            continue  # a stage: it holds a run of alike blocks
        for unit, held in inner.items():
            if not held or unit in found:
                continue
            if len(held) == 1 and weights[unit] == weights[held[0]]:
                continue  # it holds one block and nothing else: that block is the unit
            found = (found - set(held)) | {_named(types, unit, weights)}
    return found


def _below(blocks: set[str]) -> dict[str, list[str]]:
    """For each module path, the ``blocks`` strictly below it (in the set's order): one
    walk up from each block, where testing every (unit, block) pair is quadratic."""
    below: dict[str, list[str]] = {}
    for block in blocks:
        path = parent(block)
        while path:
            below.setdefault(path, []).append(block)
            path = parent(path)
    return below


def _named(types: dict[str, str], unit: str, weights: dict[str, int]) -> str:
    """A container unit (T5's ``layer`` ModuleList) is the named module holding it and
    nothing else (``T5Block``), if there is one."""
    path = unit
    while types.get(path) in CONTAINERS and parent(path) and \
            weights.get(parent(path), 0) == weights.get(path, 0):
        path = parent(path)
    return path if types.get(path) not in CONTAINERS else unit


def _is_run(types: dict[str, str], held: list[str]) -> bool:
    """Whether blocks (in execution order) hold two alike ones in a row: the same class
    at the same place (``layer1.0``, ``layer1.1``; ``denselayer1``, ``denselayer2``),
    not parts that differ by name (``dw0``, ``ffn0``, ``mixer``, ``dw1``)."""
    seen = [(types.get(b, ""), place(b)) for b in held]
    return any(a == b for a, b in zip(seen, seen[1:]))
