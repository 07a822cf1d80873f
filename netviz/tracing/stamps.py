"""Trace each distinct block once: record the fx nodes of a block's first call, stamp the rest.

A deep model repeats a few distinct blocks hundreds of times. While torch.fx traces the
model, the first call of a block with a [fingerprint][netviz.tracing.fingerprints] shared
by another module is traced as usual and its nodes are recorded as a
[`Template`][netviz.tracing.stamps.Template]; a later call of a module with the same
fingerprint and the same kind of arguments (which arguments are traced values, and the
value of every other one) is not run: the template's nodes are created again, renamed
(module paths, and node names from the same fx namespace in the same order, so fx's
names come out as tracing would give them), reading that call's arguments. The graph is
the one tracing every call gives, node for node.

A template is refused (every module of that fingerprint is then traced for itself) when
its nodes read a value the call was not given (a tensor constant, an attribute of
another module, a value kept from an earlier call), or when what it returns is not plain
traced values in tuples, lists and dicts.

Each stamped call is an [`Instance`][netviz.tracing.stamps.Instance] of its template:
[`netviz.tracing.reuse`][netviz.tracing.reuse] uses them to propagate the shapes of a
stamped call from the template's when its inputs are alike.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

import torch
import torch.fx
from torch import nn

from netviz.tracing.leaves import Leaf, make_leaf
from netviz.tracing.runs import Runs, joined_onto, noted
from netviz.tracing.tensor_attrs import LazyTensorAttrs

if TYPE_CHECKING:
    from netviz.tracing.keys import StampKeys

_CONSTANTS = (type(None), bool, int, float, str, torch.dtype, torch.device)
_MODULE_TARGETS = ("call_module", "get_attr")


class Template:
    """The nodes the first traced call of a block made.

    Attributes:
        path: The block's module path.
        nodes: Per node: the node, its target (relative to ``path`` for module calls and
            attributes: ``".conv1"``), the name fx was asked for, its type annotation and
            the module-stack entries below the block (relative keys and paths, classes).
        inputs: The nodes the call was given, by argument slot.
        output: What the call returned, its nodes in place.
        out: The place in ``nodes`` of the node the call returned; -1 when it returned
            something else (several values, an input).
        candidates: Per node, the name fx is asked for, as ``(module path first?, the
            rest)``; set when a call is first made a leaf.
        clean: Per candidate, its rest with fx's illegal characters replaced, and whether
            it starts with one; set with ``candidates``.
    """

    __slots__ = ("path", "nodes", "inputs", "output", "out", "candidates", "clean")

    def __init__(self,
                 path: str,
                 nodes: list[tuple[torch.fx.Node, Any, str | None, Any,
                                   tuple[tuple[str, str, Any], ...]]],
                 inputs: list[torch.fx.Node],
                 output: Any,
                 out: int = -1,
                 candidates: list[tuple[bool, str]] | None = None,
                 clean: list[tuple[str, bool]] | None = None) -> None:
        self.path = path
        self.nodes = nodes
        self.inputs = inputs
        self.output = output
        self.out = out
        self.candidates = candidates
        self.clean = clean


class Instance:
    """One call of a block whose nodes follow a template (the template's own call too).

    Attributes:
        template: The template.
        nodes: Its nodes, in the template's order.
        inputs: The nodes it was given, by argument slot.
        fresh: The call is the first of its module (its parameters count in its nodes).
        path: The block's module path.
    """

    __slots__ = ("template", "nodes", "inputs", "fresh", "path")

    def __init__(self,
                 template: Template,
                 nodes: list[torch.fx.Node],
                 inputs: list[torch.fx.Node],
                 fresh: bool = True,
                 path: str = "") -> None:
        self.template = template
        self.nodes = nodes
        self.inputs = inputs
        self.fresh = fresh
        self.path = path


class Stamps:
    """What one trace recorded and stamped.

    Attributes:
        keys: Fingerprints of the modules worth stamping (a non-leaf module sharing its
            fingerprint with another), by ``id`` (a dict, or found when first asked for).
        templates: By fingerprint and argument pattern.
        refused: Fingerprints and patterns whose template was refused.
        instances: Every call made from (or recorded as) a template, in graph order.
        created: ``(node, name asked for, type annotation)`` of every node created.
        leaves: Make alike later calls one node each (see
            [`netviz.tracing.leaves`][netviz.tracing.leaves]), except of the templates
            (by fingerprint and pattern) in ``no_leaf``; ``False``: stamp every call.
        no_leaf: Templates whose calls are stamped node by node.
        made: The calls made one node, by that node (the first of a run: see
            [`netviz.tracing.runs`][netviz.tracing.runs]).
        sources: For each of those (by node), the alike call stamped node by node whose
            values it took while propagating shapes.
        recording: How many templates are being recorded around the current call.
        modules: ``dict(root.named_modules())`` of the traced model, set after tracing
            (from what fx found walking it, not walked again).
        runs: Runs of leaves made one node.
    """

    __slots__ = (
        "keys", "templates", "refused", "instances", "created", "leaves", "no_leaf", "made",
        "sources", "recording", "modules", "runs"
    )

    def __init__(self,
                 keys: StampKeys | dict[int, Hashable],
                 templates: dict[Hashable, Template] | None = None,
                 refused: set[Hashable] | None = None,
                 instances: list[Instance] | None = None,
                 created: list[tuple[torch.fx.Node, str | None, Any]] | None = None,
                 leaves: bool = False,
                 no_leaf: set[Hashable] | None = None,
                 made: dict[torch.fx.Node, Leaf] | None = None,
                 sources: dict[torch.fx.Node, Instance] | None = None,
                 recording: int = 0,
                 modules: dict[str, nn.Module] | None = None) -> None:
        self.keys = keys
        self.templates: dict[Hashable, Template] = {} if templates is None else templates
        self.refused: set[Hashable] = set() if refused is None else refused
        self.instances: list[Instance] = [] if instances is None else instances
        self.created: list[tuple[torch.fx.Node, str | None, Any]] = (
            [] if created is None else created)
        self.leaves = leaves
        self.no_leaf: set[Hashable] = set() if no_leaf is None else no_leaf
        self.made: dict[torch.fx.Node, Leaf] = {} if made is None else made
        self.sources: dict[torch.fx.Node, Instance] = {} if sources is None else sources
        self.recording = recording
        self.modules = modules
        self.runs = Runs()


class StampingTracer(LazyTensorAttrs, torch.fx.Tracer):
    """A ``torch.fx.Tracer`` that stamps repeated blocks when given ``stamps`` (``None``:
    it traces as fx does), its table of tensor attributes made when first read (see
    [`netviz.tracing.tensor_attrs`][netviz.tracing.tensor_attrs])."""

    stamps: Stamps | None = None
    module_paths: dict[nn.Module, str] | None = None

    # fx's Tracer.trace sets submodule_paths (module -> its first path, from one
    # named_modules walk) for the trace and clears it after (fx's bookkeeping,
    # undocumented): kept as module_paths, so that the walk serves the rest of the trace
    # too. tests/tracing/test_walks.py pins that it is named_modules, and that it is kept.
    @property
    def submodule_paths(self) -> dict[nn.Module, str] | None:
        """fx's table of module paths, while tracing."""
        return self.__dict__.get("_submodule_paths")

    @submodule_paths.setter
    def submodule_paths(self, value: dict[nn.Module, str] | None) -> None:
        self.__dict__["_submodule_paths"] = value
        if value is not None:
            self.module_paths = value

    def create_node(self, kind: str, target: Any, args: Any, kwargs: Any,
                    name: str | None = None, type_expr: Any = None) -> torch.fx.Node:
        """fx's ``create_node``, noting each node (and the name asked for) for stamping."""
        node = super().create_node(kind, target, args, kwargs, name, type_expr)
        if self.stamps is not None:
            self.stamps.created.append((node, name, type_expr))
        return node

    def call_module(self, m: nn.Module, forward: Any, args: Any, kwargs: Any) -> Any:
        """fx's ``call_module``; a block sharing its fingerprint with one traced before is
        stamped from that one's template instead (see ``netviz.tracing.stamps``)."""
        stamps = self.stamps
        key = stamps.keys.get(id(m)) if stamps is not None else None
        if stamps is None or key is None:
            return super().call_module(m, forward, args, kwargs)
        found = pattern((args, kwargs))
        if found is None or (key, found[0]) in stamps.refused:
            return super().call_module(m, forward, args, kwargs)
        shape, inputs = found
        template = stamps.templates.get((key, shape))
        path = self.path_of_module(m)
        calls = self.num_calls.get(path, 0)
        if template is None:
            start, depth = len(stamps.created), len(self.module_stack)
            stamps.recording += 1
            try:
                output = super().call_module(m, forward, args, kwargs)
            finally:
                stamps.recording -= 1
            template = record(stamps, path, start, depth, inputs, output)
            if template is None:
                stamps.refused.add((key, shape))
            else:
                stamps.templates[(key, shape)] = template
                nodes = [node for node, *_ in template.nodes]
                stamps.instances.append(Instance(template, nodes, inputs, calls == 0, path))
            return output
        if (stamps.leaves and not stamps.recording and calls == 0
                and (key, shape) not in stamps.no_leaf):
            runs = stamps.runs
            onto = joined_onto(self, runs, (key, shape), template, inputs)
            made = make_leaf(self, (key, shape), template, path, inputs, onto)
            if made is not None:
                self.num_calls[path] = 1
                stamps.made[made.node] = made.chain[0]
                return noted(self, runs, made, self.proxy(made.node))
        # What fx's call_module does around a call (Tracer.num_calls and module_stack are
        # fx's own bookkeeping, undocumented): push the module on the stack every node's
        # nn_module_stack copies. tests/tracing/test_stamps_property.py pins that stamped
        # graphs equal traced ones, names and module stacks included.
        module_key = f"{path}@{calls}" if calls > 0 else path
        self.module_stack[module_key] = (path, type(m))
        self.num_calls[path] = calls + 1
        try:
            output, instance = stamp(template, path, inputs, self.create_node, self.proxy)
        finally:
            self.module_stack.popitem(last=True)
        instance.fresh = calls == 0
        stamps.instances.append(instance)
        return output


def pattern(args: Any) -> tuple[Hashable, list[torch.fx.Node]] | None:
    """The shape of a call's arguments (traced values as slots, constants by value) and
    the nodes in its slots; ``None`` when an argument is neither (not stampable)."""
    if type(args) is tuple and len(args) == 2:  # (args, kwargs): one traced value, the usual
        given, named = args
        if type(given) is tuple and len(given) == 1 and type(named) is dict and not named:
            value = given[0]
            if isinstance(value, torch.fx.Proxy) and \
                    not isinstance(value, torch.fx.proxy.Attribute):
                return _ONE_VALUE, [value.node]
    return walked_pattern(args)


def walked_pattern(args: Any) -> tuple[Hashable, list[torch.fx.Node]] | None:
    """``pattern``, always walking the arguments."""
    slots: dict[torch.fx.Node, int] = {}

    def walk(value: Any) -> Hashable:
        kind = type(value)
        if kind is torch.fx.Proxy or isinstance(value, torch.fx.Proxy):
            if isinstance(value, torch.fx.proxy.Attribute):
                raise ValueError("a lazy attribute proxy")
            return ("slot", slots.setdefault(value.node, len(slots)))
        if kind in _CONSTANTS:
            return (kind, value)
        if kind in (tuple, list):
            return (kind, tuple(walk(item) for item in value))
        if kind is dict:
            return (kind, tuple((k, walk(v)) for k, v in value.items()))
        raise ValueError(f"argument of type {kind.__name__}")

    try:
        shape = walk(args)
    except ValueError:
        return None
    return shape, list(slots)


_ONE_VALUE = (tuple, ((tuple, (("slot", 0),)), (dict, ())))
"""``pattern``'s shape of a call given one traced value and nothing else."""


def record(
    stamps: Stamps, path: str, start: int, depth: int, inputs: list[torch.fx.Node], output: Any,
) -> Template | None:
    """The template of a call that created ``stamps.created[start:]`` (``depth``: the length
    of the module stack outside the call), or ``None`` when it cannot be stamped."""
    made = stamps.created[start:]
    inside = {node for node, _, _ in made}
    allowed = inside | set(inputs)
    prefix = path + "."
    nodes = []
    for node, name, type_expr in made:
        if any(used not in allowed for used in node.all_input_nodes):
            return None  # reads a value the call was not given
        target = node.target
        if node.op in _MODULE_TARGETS:
            if not isinstance(target, str) or not target.startswith(prefix):
                return None  # another module's attribute, a tensor constant
            target = target[len(prefix) - 1:]
        stack = node.meta.get("nn_module_stack")
        if stack is None or len(stack) <= depth:
            return None
        below = []
        for key, (qualified, cls) in list(stack.items())[depth + 1:]:
            if not (key.startswith(prefix) and str(qualified).startswith(prefix)):
                return None
            below.append((key[len(path):], str(qualified)[len(path):], cls))
        nodes.append((node, target, name, type_expr, tuple(below)))
    try:
        output = _output(output, inside | set(inputs))
    except ValueError:
        return None
    out = next((i for i, (node, *_) in enumerate(nodes) if node is output), -1) \
        if type(output) is torch.fx.Node else -1
    return Template(path, nodes, inputs, output, out)


def _output(value: Any, allowed: set[torch.fx.Node]) -> Any:
    """What a call returned, with each proxy replaced by its node."""
    kind = type(value)
    if isinstance(value, torch.fx.Proxy):
        if isinstance(value, torch.fx.proxy.Attribute) or value.node not in allowed:
            raise ValueError("not a node of the call")
        return value.node
    if kind in _CONSTANTS:
        return value
    if kind in (tuple, list):
        return kind(_output(item, allowed) for item in value)
    if kind is dict:
        return {k: _output(v, allowed) for k, v in value.items()}
    raise ValueError(f"returns a {kind.__name__}")


def stamp(
    template: Template, path: str, inputs: list[torch.fx.Node],
    create: Callable[..., torch.fx.Node], proxy: Callable[[torch.fx.Node], Any],
) -> tuple[Any, Instance]:
    """Create ``template``'s nodes again for the call of module ``path`` given ``inputs``:
    what the call returns (proxies) and its instance. ``create`` is the tracer's
    ``create_node`` (with the module stack of the call in place)."""
    made: dict[torch.fx.Node, torch.fx.Node] = dict(zip(template.inputs, inputs))

    nodes = []
    for node, target, name, type_expr, below in template.nodes:
        if node.op in _MODULE_TARGETS:
            target = path + target
        args, kwargs = node.args, node.kwargs
        if type(args) is tuple and not kwargs and all(
                type(a) is torch.fx.Node or type(a) in _CONSTANTS for a in args):
            args, kwargs = tuple(made[a] if type(a) is torch.fx.Node else a for a in args), {}
        else:  # nested arguments
            args, kwargs = _renamed(args, made), _renamed(kwargs, made)
        new = create(node.op, target, args, kwargs, name, type_expr)
        if below:
            stack = new.meta["nn_module_stack"]
            for key, qualified, cls in below:
                stack[path + key] = (path + qualified, cls)
        made[node] = new
        nodes.append(new)
    return _rebuilt(template.output, made, proxy), Instance(template, nodes, inputs, path=path)


def _renamed(value: Any, made: dict[torch.fx.Node, torch.fx.Node]) -> Any:
    """A template node's arguments with its nodes replaced, in the plain containers the
    tracer builds (fx stores them as it stores a traced call's)."""
    kind = type(value)
    if kind is torch.fx.Node:
        return made[value]
    if kind is tuple or kind is torch.fx.immutable_collections.immutable_list or kind is list:
        items = [_renamed(item, made) for item in value]
        return tuple(items) if kind is tuple else items
    if kind is dict or kind is torch.fx.immutable_collections.immutable_dict:
        return {k: _renamed(v, made) for k, v in value.items()}
    if kind is slice:
        return slice(_renamed(value.start, made), _renamed(value.stop, made),
                     _renamed(value.step, made))
    if isinstance(value, (tuple, list, dict)):
        return torch.fx.node.map_arg(value, made.__getitem__)  # a named tuple, ...
    return value


def _rebuilt(value: Any, made: dict[torch.fx.Node, torch.fx.Node],
             proxy: Callable[[torch.fx.Node], Any]) -> Any:
    """A template's output for a stamped call: its nodes as proxies of the new ones."""
    if isinstance(value, torch.fx.Node):
        return proxy(made[value])
    kind = type(value)
    if kind in (tuple, list):
        return kind(_rebuilt(item, made, proxy) for item in value)
    if kind is dict:
        return {k: _rebuilt(v, made, proxy) for k, v in value.items()}
    return value
