"""Later calls of a repeated block as one fx node each: their IR nodes copied, not traced.

[Stamping][netviz.tracing.stamps] still creates one fx node per op for every call of a
repeated block. For a deep model that is most of the trace. So a later call of a block
(stamped from a template, the first call of its module, and not inside a template being
recorded) becomes one fx node, a [`Leaf`][netviz.tracing.leaves.Leaf], when the
template returns one node: the names its nodes would get are taken from fx's namespace
in the same order, so every other node keeps its name, but no node is created.

- **Shapes** ([`netviz.tracing.reuse`][netviz.tracing.reuse]): a leaf's inputs must be
  alike those of an earlier call stamped node by node (the first of its module, whose
  only node used after the call is the one it returns); each of the leaf's would-be
  nodes takes that call's value, and the leaf gives a blank meta tensor of its output's.
- **IR** ([`copy_leaf`][netviz.tracing.leaves.copy_leaf]): the IR nodes and edges of
  that call, renamed (ids, module paths), when its inputs and the leaf's are IR nodes
  with the same feature axes and every parameter either counts is counted the first
  time.

A run of leaves, each reading only the one before, shares one fx node
([`netviz.tracing.runs`][netviz.tracing.runs]).

Anything else raises [`Unstampable`][netviz.tracing.leaves.Unstampable]; the tracer then
traces again with that template's calls stamped node by node, so the graph is always the
one tracing every call gives (``tests/tracing/test_leaves_property.py``).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import torch.fx

from netviz.ir import Edge, Node, Repeat

if TYPE_CHECKING:
    from netviz.tracing.stamps import Instance, Template

LEAF_NAME = "_netviz_leaf"
"""The name fx is asked to give a leaf's node (never an IR id)."""
_MODULE_TARGETS = ("call_module", "get_attr")


class Leaf:
    """A later call of a repeated block, traced as one fx node.

    Attributes:
        node: The fx node standing for the call (``call_module`` of the block, reading
            the call's inputs).
        key: The template's fingerprint and argument pattern.
        template: The template the call would be stamped from.
        path: The block's module path.
        names: The fx names its nodes would have, in the template's order.
        inputs: The nodes it was given, by argument slot.
        out: The place of the node it returns, in the template's order.
        prior: The call whose output is its only input, when both are one fx node (a
            run of alike blocks: see [`netviz.tracing.runs`][netviz.tracing.runs]);
            ``None`` when the call has a node of its own.
        chain: The calls its node stands for, in order (the one that made it first),
            one list shared by them.
        source: The alike call it copies, found while propagating shapes.
    """

    __slots__ = ("node", "key", "template", "path", "names", "inputs", "out", "prior", "chain",
                 "source")

    def __init__(self,
                 node: torch.fx.Node,
                 key: Hashable,
                 template: Template,
                 path: str,
                 names: list[str],
                 inputs: list[torch.fx.Node],
                 out: int,
                 prior: Leaf | None = None) -> None:
        self.node = node
        self.key = key
        self.template = template
        self.path = path
        self.names = names
        self.inputs = inputs
        self.out = out
        self.prior = prior
        self.chain: list[Leaf] = [self]
        self.source: Instance | None = None


class Unstampable(Exception):
    """A leaf whose nodes cannot be copied: trace again with ``key``'s calls stamped
    node by node (``None``: every call)."""

    def __init__(self, key: Hashable | None, why: str) -> None:
        super().__init__(why)
        self.key = key


def make_leaf(tracer: Any, key: Hashable, template: Template, path: str,
              inputs: list[torch.fx.Node], onto: Leaf | None = None) -> Leaf | None:
    """The leaf standing for the call of module ``path`` stamped from ``template`` (its
    nodes' names taken from the tracer's graph), or ``None`` when the template does not
    return one of its own nodes. Given ``onto`` (the leaf whose output is the call's
    only input, see [`netviz.tracing.runs`][netviz.tracing.runs]), the leaf joins its
    node instead of making one."""
    out = template.out
    if out < 0:
        return None
    graph = tracer.graph
    # fx's private name bookkeeping (Graph._graph_namespace, Graph._target_to_str): the
    # names Graph.create_node would give these nodes, taken in the same order so that
    # later nodes are named as tracing names them. tests/tracing/test_leaves_property.py
    # pins the graph (ids included) against the plain trace.
    create = graph._graph_namespace.create_name
    if path.startswith("_"):  # fx reads a name like "__x__" its own way: ask it each time
        candidates = [(False, name if name is not None else graph._target_to_str(
            path + target if node.op in _MODULE_TARGETS else target))
            for node, target, name, _, _ in template.nodes]
    else:
        candidates = template.candidates or _candidates(template, graph)
    # _target_to_str of a module path: fx's snake case, which never joins across a "."
    prefix = graph._target_to_str(path) if any(first for first, _ in candidates) else ""
    names = [create(name, None) for name in _asked(prefix, candidates, template)]
    if onto is not None:
        joined = Leaf(onto.node, key, template, path, names, inputs, out, onto)
        joined.chain = onto.chain  # one list, shared by the run's leaves
        joined.chain.append(joined)
        return joined
    node = graph.create_node("call_module", path, tuple(inputs), {}, name=LEAF_NAME)
    return Leaf(node, key, template, path, names, inputs, out)


_ILLEGAL = getattr(torch.fx.graph, "_illegal_char_regex", None)
"""fx's characters that cannot be in a name (a run of them becomes one ``_``)."""


def _asked(prefix: str, candidates: list[tuple[bool, str]], template: Template) -> list[str]:
    """The names to ask fx's namespace for: each candidate, the module path ``prefix``
    before those named after it, with fx's illegal characters already replaced as
    ``create_name`` replaces them (which it then need not do: the same names). The
    template's candidates are cleaned once; joined to a cleaned prefix they are the
    cleaned whole unless a run of illegal characters spans the join."""
    if _ILLEGAL is None or template.candidates is not candidates:
        return [prefix + rest if first else rest for first, rest in candidates]
    clean = template.clean
    if clean is None:
        clean = template.clean = [(_ILLEGAL.sub("_", rest), _ILLEGAL.match(rest) is not None)
                                  for _, rest in candidates]
    start = _ILLEGAL.sub("_", prefix)
    joins = not prefix or _ILLEGAL.match(prefix[-1]) is None  # ends in a legal character
    return [(start + cleaned if joins or not opens else _ILLEGAL.sub("_", prefix + rest))
            if first else cleaned
            for (first, rest), (cleaned, opens) in zip(candidates, clean)]


def _candidates(template: Template, graph: Any) -> list[tuple[bool, str]]:
    """The names fx is asked for a template's nodes: ``(True, rest)`` when the module path
    of the call comes first (a module target, named after it), else ``(False, name)``."""
    found = []
    for node, target, name, _, _ in template.nodes:
        if name is not None:
            found.append((False, name))
        elif node.op in _MODULE_TARGETS:
            found.append((True, graph._target_to_str("x" + target)[1:]))
        else:
            found.append((False, graph._target_to_str(target)))
    template.candidates = found
    return found


def renamed_scope(scope: str, source: str, path: str, key: Hashable) -> str:
    """``scope`` (a module path in block ``source``) moved to block ``path``."""
    if scope == source:
        return path
    if not scope.startswith(source + "."):
        raise Unstampable(key, f"an op of {source} runs outside it ({scope})")
    return path + scope[len(source):]


def copy_leaf(
    leaf: Leaf, done: Instance, made: dict[torch.fx.Node, tuple[int, int, int]],
    ids: dict[torch.fx.Node, str], axes: dict[torch.fx.Node, int | None],
    nodes: list[Node], edges: list[Edge], plans: dict[int, Plan] | None = None,
) -> None:
    """Append the IR nodes and edges of ``leaf``: those ``done`` (the alike call its
    values came from) made, renamed.

    Args:
        leaf: The leaf.
        done: The call it is alike.
        made: For each fx node turned into an IR node: its index in ``nodes`` and the
            range of its incoming edges in ``edges``.
        ids: IR ids of the fx nodes kept (the leaf's: its returned node's name).
        axes: Feature axes (full index) of the fx nodes built so far; the leaf's is set.
        nodes: The IR nodes so far.
        edges: The IR edges so far.
        plans: What copying each call takes (see ``copy_plan``), by ``id`` of the call,
            kept from one leaf to the next.

    Raises:
        Unstampable: The copy could differ from tracing the call.
    """
    key = leaf.key
    given = []
    prior = leaf.prior  # its input: the output of the leaf copied just before, in its node
    for mine, theirs in zip(leaf.inputs, done.inputs):
        if mine not in ids or theirs not in ids:
            raise Unstampable(key, "an input is not an IR node")
        if axes.get(mine) != axes.get(theirs):
            raise Unstampable(key, "inputs with other feature axes")
        given.append(ids[mine] if prior is None else prior.names[prior.out])
    plan = plans.get(id(done)) if plans is not None else None
    if plan is None:
        plan = copy_plan(key, done, leaf.out, made, ids, nodes, edges)
        if plans is not None:
            plans[id(done)] = plan
    names, path = leaf.names, leaf.path
    new, set_fields = object.__new__, object.__setattr__  # frozen dataclasses: as replace()
    for node, place, scope, incoming in plan:
        fields = node.__dict__.copy()
        fields["id"] = names[place]
        fields["scope"] = path + scope
        copy = new(Node)
        set_fields(copy, "__dict__", fields)
        nodes.append(copy)
        for edge, inside, src, dst in incoming:
            fields = edge.__dict__.copy()
            fields["src"] = names[src] if inside else given[src]
            fields["dst"] = names[dst]
            moved = new(Edge)
            set_fields(moved, "__dict__", fields)
            edges.append(moved)
    axes[leaf.node] = axes.get(done.nodes[leaf.out])


Plan = list[tuple[Node, int, str, list[tuple[Edge, bool, int, int]]]]
"""How to copy the IR of a call: per IR node it made, in order, the node, its place
among the call's fx nodes (whose would-be name a leaf gives it), its scope below the
call's module path (``""``: the module itself), and its incoming edges, each with where
its ends are: its source among the call's nodes (``True``, a place) or among its inputs
(``False``, an argument slot), its destination a place. The same as renaming ids and
scopes one by one (``evolve``), made once per call a leaf copies."""


def copy_plan(
    key: Hashable, done: Instance, out: int, made: dict[torch.fx.Node, tuple[int, int, int]],
    ids: dict[torch.fx.Node, str], nodes: list[Node], edges: list[Edge],
) -> Plan:
    """The plan copying the IR nodes and edges ``done`` made (``out``: the place of the
    node its leaves return).

    Raises:
        Unstampable: A copy could differ from tracing the call.
    """
    if done.nodes[out] not in made:
        raise Unstampable(key, "what the block returns is not an IR node")
    where: dict[str, tuple[bool, int]] = {}
    for slot, theirs in enumerate(done.inputs):
        where[ids[theirs]] = (False, slot)
    for place, theirs in enumerate(done.nodes):
        if theirs in made:
            where[ids[theirs]] = (True, place)
    source = done.path
    plan: Plan = []
    for place, theirs in enumerate(done.nodes):
        at = made.get(theirs)
        if at is None:
            continue
        index, start, end = at
        node = nodes[index]
        scope = renamed_scope(node.scope, source, "", key)
        incoming = []
        for edge in edges[start:end]:
            src = where.get(edge.src)
            if src is None:
                raise Unstampable(key, "an edge from outside the block")
            dst = where[edge.dst]
            incoming.append((edge, src[0], src[1], dst[1]))
        plan.append((node, place, scope, incoming))
    return plan


Copy = tuple[Leaf, "Instance", int, int, int, int]
"""A leaf copied into the IR: the leaf, the call it copies, the index and count of its
nodes, the index and count of its incoming edges."""

SHORTEST = 5
"""Chains of fewer alike blocks are not recorded (drawing them costs little)."""


def chains(copies: list[Copy], made: dict[torch.fx.Node, tuple[int, int, int]]) -> tuple[Repeat, ...]:
    """The chains of alike blocks among the copied leaves: a call stamped node by node,
    then leaves copying it, each reading only the previous one's output, which nothing
    else reads, their IR nodes and edges one after the other, all held by one module
    (a chain never runs across two stages: ``layer1.2``, then ``layer2.0``)."""
    found: list[Repeat] = []
    i = 0
    while i < len(copies):
        leaf, done, start, size, edge_start, edge_size = copies[i]
        first = _block_range(done, made)
        returned = done.nodes[leaf.out]
        if (first is None or len(done.inputs) != 1 or first[1] != size or first[3] != edge_size
                or first[0] + size != start or first[2] + edge_size != edge_start
                or leaf.inputs != [returned] or list(returned.users) != [leaf.node]
                or _holder(leaf.path) != _holder(done.path)):
            i += 1
            continue
        blocks = [done.path, leaf.path]
        j = i + 1
        while j < len(copies):
            after, source, at, count, edge_at, edges = copies[j]
            before = copies[j - 1]
            if (source is not done or count != size or edges != edge_size
                    or at != before[2] + size or edge_at != before[4] + edge_size
                    or (after.prior is not before[0]
                        and (after.prior is not None or after.inputs != [before[0].node]
                             or list(before[0].node.users) != [after.node]))
                    or _holder(after.path) != _holder(done.path)):
                break
            blocks.append(after.path)
            j += 1
        if len(blocks) >= SHORTEST:
            found.append(Repeat(tuple(blocks), first[0], size, first[2], edge_size))
        i = j
    return tuple(found)


def _holder(path: str) -> str:
    """The module holding the module at ``path``."""
    return path.rpartition(".")[0]


def _block_range(done: Instance, made: dict[torch.fx.Node, tuple[int, int, int]],
                 ) -> tuple[int, int, int, int] | None:
    """``(first node, nodes, first edge, edges)`` of a call's IR nodes, when they are
    one after the other."""
    spans = [made[node] for node in done.nodes if node in made]
    if not spans:
        return None
    first, last = spans[0], spans[-1]
    if last[0] - first[0] + 1 != len(spans):
        return None
    return first[0], len(spans), first[1], last[2] - first[1]
