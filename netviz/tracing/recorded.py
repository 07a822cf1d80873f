"""What a block recorded, relative to its path, and the same given again for an alike
block under another path (see [`netviz.tracing.repeats`][netviz.tracing.repeats])."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import torch

from netviz.ir import Edge, Node
from netviz.tracing.alike import Group, Member
from netviz.tracing.replay import blank_tensor

if TYPE_CHECKING:
    from netviz.tracing.hooks import _Recorder

_ATOMS = frozenset({int, float, bool, str, type(None)})
MISSING = object()
"""``replay``'s answer for a block that does not fit."""


class Block:
    """What a recorded block gave, relative to its path. Ids are encoded ``(True, suffix)``
    for its own nodes, ``(False, id)`` for its inputs' producers. (A plain class: a
    dataclass costs a cold run its making, at import.)"""

    __slots__ = ("sources", "attributes", "read", "nodes", "edges", "calls", "full", "axes",
                 "layers", "params", "outputs", "container", "produced", "moved")

    def __init__(
        self, *,
        sources: list[tuple[str, ...]],  # producers of each input tensor, as called
        attributes: dict[str, dict[str, Hashable]],  # of its modules, as called
        read: dict[tuple[str, str], None],  # watched attributes its forward read
        nodes: list[tuple[Node, str, str]],  # node, id suffix, scope suffix
        edges: list[tuple[Edge, tuple[bool, str], str]],  # edge, source, destination suffix
        calls: dict[str, int],  # node counter of each path suffix
        full: dict[str, Any],  # id suffix -> full shape (absent: none)
        axes: dict[str, Any],
        layers: list[str],
        params: list[str],  # relative names of the parameters taken, in order
        outputs: list[Any],  # per item: ("atom", v), ("input", position), ("new", layout)
        container: type | None,
        produced: list[tuple[tuple[bool, str], ...]],  # per output tensor, its producers
        moved: list[tuple[int, tuple[tuple[bool, str], ...]]],  # inputs given new producers
    ) -> None:
        self.sources = sources
        self.attributes = attributes
        self.read = read
        self.nodes = nodes
        self.edges = edges
        self.calls = calls
        self.full = full
        self.axes = axes
        self.layers = layers
        self.params = params
        self.outputs = outputs
        self.container = container
        self.produced = produced
        self.moved = moved


def block_of(rec: _Recorder, member: Member, out: Any, tensors: list[torch.Tensor],
             sources: list[tuple[str, ...]], attributes: dict[str, dict[str, Hashable]],
             read: dict[tuple[str, str], None], journal: list[tuple[str, int]],
             first_node: int, first_edge: int, mark: int) -> Block | None:
    """What the call of ``member`` recorded (since ``first_node``, ``first_edge`` and the
    ledger's ``mark``), relative to its path; ``None`` when unsafe to repeat. The caller
    checked its inputs, attributes and counts."""
    prefix = member.path
    dot = prefix + "."
    if any(i.startswith(dot) for i in rec.input_ids):
        return None  # an id might have been reserved (see _Recorder._new_id)
    outside = {source for producers in sources for source in producers}
    nodes: list[tuple[Node, str, str]] = []
    own: dict[str, None] = {}  # the block's node ids, in order
    for node in rec.nodes[first_node:]:
        if not node.id.startswith(dot) or not (
                node.scope == prefix or node.scope.startswith(dot)) or _mentions(
                    node.attrs, prefix):
            return None
        own[node.id] = None
        nodes.append((node, node.id[len(prefix):], node.scope[len(prefix):]))

    def encoded(node_id: str) -> tuple[bool, str] | None:
        if node_id in own:
            return (True, node_id[len(prefix):])
        return (False, node_id) if node_id in outside else None

    edges = []
    for edge in rec.edges[first_edge:]:
        source = encoded(edge.src)
        if source is None or edge.dst not in own:
            return None
        edges.append((edge, source, edge.dst[len(prefix):]))
    calls: dict[str, int] = {}
    for path, count in journal:
        suffix = path[len(prefix):]
        if not path.startswith(dot) or (suffix not in calls and count != 1):
            return None
        calls[suffix] = count
    names = {id(p): name for name, p in member.module.named_parameters()}
    params = [names.get(id(p), "") for p in rec.ledger.taken_since(mark)]
    if not all(params):
        return None  # a parameter from outside the block
    shaped = _outputs(rec, out, tensors, sources)
    if shaped is None:
        return None
    outputs, container, produced_ids, moved_ids = shaped
    produced = []
    for producers in produced_ids:
        codes = tuple(encoded(p) for p in producers)
        if any(code is None for code in codes):
            return None
        produced.append(codes)
    moved = []
    for position, producers in moved_ids:
        codes = tuple(encoded(p) for p in producers)
        if any(code is None for code in codes):
            return None
        moved.append((position, codes))
    return Block(
        sources=sources, attributes=attributes, read=read,
        nodes=nodes, edges=edges, calls=calls,
        full={i[len(prefix):]: rec.full[i] for i in own if i in rec.full},
        axes={i[len(prefix):]: rec.axes[i] for i in own if i in rec.axes},
        layers=[i[len(prefix):] for i in own if i in rec.layers],
        params=params, outputs=outputs, container=container,
        produced=produced, moved=moved)  # type: ignore[arg-type]  # None codes returned above


def _outputs(rec: _Recorder, out: Any, tensors: list[torch.Tensor],
             sources: list[tuple[str, ...]]) -> Any:
    """Per output item how to give it again, the container, each output tensor's
    producers, and the input tensors (not returned) whose producers the call changed (an
    op that returned its input itself, ``x.to(x.dtype)``, made it its node's output);
    ``None`` when the output cannot be given again."""
    provenance = rec.provenance
    if type(out) is torch.Tensor:
        items, container = [out], None
    elif type(out) is tuple:
        items, container = list(out), tuple
    else:
        return None
    outputs: list[Any] = []
    produced = []
    returned = set()
    for index, item in enumerate(items):
        kind = type(item)
        if kind in _ATOMS:
            outputs.append(("atom", item))
            continue
        if kind is not torch.Tensor or any(item is other for other in items[:index]):
            return None
        if item.requires_grad or provenance.weights_of(item):
            return None
        position = next((i for i, t in enumerate(tensors) if t is item), None)
        if position is not None:
            returned.add(position)
            outputs.append(("input", position))
        else:
            if not item.is_meta or item.__dict__ or item.dtype.is_complex:
                return None
            outputs.append(("new", (item.dtype, tuple(item.shape), tuple(item.stride()),
                                    int(item.storage_offset()), None)))
        produced.append(provenance.of(item))
    moved = []
    for position, tensor in enumerate(tensors):
        if position not in returned and provenance.of(tensor) != sources[position]:
            moved.append((position, provenance.of(tensor)))
    return outputs, container, produced, moved


def replay(rec: _Recorder, block: Block, group: Group, member: Member,
            now: dict[str, dict[str, Hashable]], tensors: list[torch.Tensor],
            sources: list[tuple[str, ...]]) -> Any:
    """The call of ``member`` answered from ``block`` (its nodes and edges recorded,
    renamed), or ``MISSING`` when it does not fit."""
    prefix = member.path
    mapping: dict[str, str] = {}
    for theirs, mine in zip(block.sources, sources):
        if len(theirs) != len(mine):
            return MISSING
        for a, b in zip(theirs, mine):
            if mapping.setdefault(a, b) != b:
                return MISSING
    if len(set(mapping.values())) != len(mapping):
        return MISSING
    for a, b in mapping.items():
        if rec.full.get(a, MISSING) != rec.full.get(b, MISSING) or \
                rec.axes.get(a, MISSING) != rec.axes.get(b, MISSING):
            return MISSING
    for rel, attrs in now.items():
        kept = block.attributes[rel]
        if attrs is kept or attrs == kept:
            continue
        if attrs.keys() != kept.keys():
            return MISSING
        for name, value in attrs.items():
            if value != kept[name] and (
                    (rel, name) not in group.watched or (rel, name) in block.read):
                return MISSING
    calls = rec.calls
    for suffix in block.calls:
        if prefix + suffix in calls:
            return MISSING
    params = _parameters(member, block.params)
    if params is None or any(rec.ledger.is_taken(p) for p in params):
        return MISSING
    if any(i.startswith(prefix + ".") for i in rec.input_ids):
        return MISSING  # a renamed id might be reserved (see _Recorder._new_id)
    # it fits: record what the block recorded, renamed
    rec.ledger.take(params)
    for suffix, count in block.calls.items():
        calls[prefix + suffix] = count
    # the same string objects as a plain forward's (a module's path for its scope and, once
    # called, its node's id; one id object for a node's edges): the transforms' dict
    # lookups then compare by identity and hash each string once
    paths = rec.paths
    scopes = {}
    for rel, module in member.modules:
        path = paths.get(id(module))
        if path is not None and path == (f"{prefix}.{rel}" if rel else prefix):
            scopes["." + rel if rel else ""] = path
    # copies as evolve makes them (no __init__ per node or edge), inlined: 80 layers of
    # 40-90 nodes and edges each
    new = object.__new__
    ids: dict[str, str] = {}
    add_node = rec.nodes.append
    for node, suffix, scope in block.nodes:
        path = scopes.get(scope) or prefix + scope
        node_id = ids[suffix] = path if suffix == scope else prefix + suffix
        made_node = new(Node)
        fields = made_node.__dict__
        fields.update(node.__dict__)
        fields["id"] = node_id
        fields["scope"] = path
        add_node(made_node)
    add_edge = rec.edges.append
    for edge, (own, source), dst in block.edges:
        made_edge = new(Edge)
        fields = made_edge.__dict__
        fields.update(edge.__dict__)
        fields["src"] = ids[source] if own else mapping[source]
        fields["dst"] = ids[dst]
        add_edge(made_edge)
    for suffix, full in block.full.items():
        rec.full[ids[suffix]] = full
    for suffix, axis in block.axes.items():
        rec.axes[ids[suffix]] = axis
    for suffix in block.layers:
        rec.layers.add(ids[suffix])
    made = []
    with torch._C._DisableTorchDispatch():
        for kind, item in block.outputs:
            if kind == "atom":
                made.append(item)
            else:
                made.append(tensors[item] if kind == "input" else blank_tensor(item))
        for position, codes in block.moved:
            rec.provenance.set(tensors[position], tuple(
                ids[i] if own else mapping[i] for own, i in codes))
        produced = iter(block.produced)
        for value in made:
            if isinstance(value, torch.Tensor):
                rec.provenance.set(value, tuple(
                    ids[i] if own else mapping[i] for own, i in next(produced)))
    return made[0] if block.container is None else block.container(made)


def _parameters(member: Member, names: list[str]) -> list[torch.Tensor] | None:
    """The parameters of ``member`` at the relative ``names`` (as ``named_parameters``
    names them), or ``None`` when one is missing."""
    table = member.table
    found: list[torch.Tensor] = []
    for name in names:
        rel, _, own = name.rpartition(".")
        module = table.get(rel)
        param = module._parameters.get(own) if module is not None else None
        if param is None:
            return None
        found.append(param)
    return found


def _mentions(attrs: Any, prefix: str) -> bool:
    """Whether a node's attributes name its block's path (they would need renaming)."""
    if isinstance(attrs, str):
        return prefix in attrs
    if isinstance(attrs, (tuple, list)):
        return any(_mentions(item, prefix) for item in attrs)
    return False
