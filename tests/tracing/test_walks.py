"""The tracer walks the module tree as little as it can: one walk for fingerprints,
stamp keys and the parameter count, none when fx refuses the model before its first
module call, fx's own table of module paths reused, leaf names asked for cleaned.

Each shortcut is held to what it replaces: the two-walk fingerprints (``shared_ids``
first), ``stamp_keys`` over ``named_modules``, ``sum(p.numel())``, ``Module.modules()``,
``torch.fx.Interpreter.__init__``, fx's namespace given the raw names.
"""

from __future__ import annotations

import pytest
import torch
import torch.fx
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from netviz.tracing import walk as walk_module
from netviz.tracing import keys as keys_module
from netviz.tracing import trace_model
from netviz.tracing.fingerprints import (
    DEPTH, HOOKS, SKIPPED, Unsafe, _frozen, shared_ids, tensor_layout,
)
from netviz.tracing.readable import readable
from netviz.tracing.walk import model_fingerprints, module_tree, unchanged
from netviz.tracing.fx import named_modules, stamped_graph
from netviz.tracing.interpreter import interpreter_init
from netviz.tracing.propagation import ShapeInterpreter
from netviz.tracing.leaves import _asked
from netviz.tracing.keys import StampKeys, _walked_keys, stamp_keys
from netviz.tracing.stamps import StampingTracer, Template, pattern, walked_pattern
from netviz.tracing.tracer import _modes, _modules, training_mode

from tests.tracing.test_stamps_property import SETTINGS, STEP, Block, Stacked


def _two_walks(root: nn.Module) -> dict[int, object]:
    """The fingerprints as found module by module: ``shared_ids`` walked first, then the
    tree, each module's description made for itself (its children's numbers, its
    ``tensor_layout``, its attributes each ``_frozen``)."""
    shared = shared_ids(root)
    found: dict[int, object] = {}
    numbers: dict[object, int] = {}

    def visit(module: nn.Module) -> int | None:
        children: list[tuple[str, int | None]] = []
        safe = True
        for name, child in module._modules.items():
            key = None if child is None else visit(child)
            safe = safe and (child is None or (key is not None and id(child) not in shared))
            children.append((name, key))
        if not safe or not readable(type(module)):
            return None
        try:
            description = (type(module), tuple(children), tensor_layout(module, shared),
                           plain_attributes(module))
        except Unsafe:
            return None
        key = found[id(module)] = numbers.setdefault(description, len(numbers))
        return key

    visit(root)
    return found


def plain_attributes(module: nn.Module) -> tuple[object, ...]:
    """A module's attributes as fingerprints compare them, one by one: the names of
    those compared (not structure, bookkeeping, hook registries), each value ``_frozen``.

    Raises:
        Unsafe: An instance-level ``forward``, a hook, a value ``_frozen`` refuses.
    """
    found = vars(module)
    if "forward" in found:
        raise Unsafe("instance-level forward")
    if any(found[name] for name in HOOKS if name in found):
        raise Unsafe("a hook")
    names = tuple(k for k in found if k not in SKIPPED and k not in HOOKS)
    return (names, *(_frozen(found[name], DEPTH) for name in names))


def _partition(keys: dict[int, object]) -> set[frozenset[int]]:
    groups: dict[object, set[int]] = {}
    for module_id, key in keys.items():
        groups.setdefault(key, set()).add(module_id)
    return {frozenset(group) for group in groups.values()}


def _shared(model: nn.Module, share: int) -> bool:
    """Make two blocks of ``model`` hold one layer (1), one weight (2), one layer without
    weights (3) or nothing (0); whether something is shared."""
    blocks = [m for m in model.modules() if isinstance(m, Block)]
    if len(blocks) >= 2 and share == 1:
        blocks[1].conv = blocks[0].conv
    elif len(blocks) >= 2 and share == 2:
        blocks[1].bn.weight = blocks[0].bn.weight
    elif len(blocks) >= 2 and share == 3:
        blocks[0].extra = blocks[1].extra = nn.Identity()
    return len(blocks) >= 2 and share > 0


@SETTINGS
@given(steps=st.lists(STEP, min_size=1, max_size=5), share=st.integers(0, 3))
def test_one_walk_finds_what_two_walks_find(steps: list[tuple], share: int) -> None:
    """Same fingerprints (the same modules grouped alike) as the two walks, each module
    listed once, and the parameter count of ``parameters()`` when nothing is shared (a
    second path to a module or tensor: the two walks, no count)."""
    with torch.device("meta"):
        model = Stacked(steps)
    shared = _shared(model, share)
    found = model_fingerprints(model)
    assert _partition(found.keys) == _partition(_two_walks(model))
    if shared and found.modules is not None:
        pytest.fail("a shared layer or weight was not noticed")
    if found.modules is not None:
        assert {id(m) for m in found.modules} == set(found.keys)
        assert len(found.modules) == len(found.keys)
        assert found.params == sum(p.numel() for p in model.parameters())
    else:
        assert found.params is None


def test_the_walk_notices_a_weight_shared_by_two_blocks() -> None:
    with torch.device("meta"):
        model = Stacked([("block", 3, 4, False, "zeros", 0.0)])
    _shared(model, 2)
    found = model_fingerprints(model)
    assert found.modules is None and found.params is None
    blocks = [m for m in model.modules() if isinstance(m, Block)]
    assert id(blocks[0]) not in found.keys and id(blocks[1]) not in found.keys
    assert id(blocks[2]) in found.keys


@SETTINGS
@given(steps=st.lists(STEP, min_size=1, max_size=5), share=st.integers(0, 3))
def test_stamp_keys_from_the_walk_equal_those_over_named_modules(
    steps: list[tuple], share: int,
) -> None:
    with torch.device("meta"):
        model = Stacked(steps)
    _shared(model, share)
    walk = model_fingerprints(model)
    if walk.modules is not None:  # listed in the order of the keys, one to one
        assert list(walk.keys) == [id(m) for m in walk.modules]
    is_leaf = torch.fx.Tracer().is_leaf_module
    assert _walked_keys(walk, model, is_leaf) == stamp_keys(walk.keys, model, is_leaf)


class _Refused(nn.Module):
    """A model fx refuses before it calls any module: control flow on a traced value."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(*(Block(4, 4, False, "zeros", 0.0) for _ in range(3)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.sum() > 0:
            return self.body(x)
        return self.body(-x)


def test_a_model_fx_refuses_at_once_is_never_fingerprinted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The module tree is walked when the tracer first meets a module call, not before:
    a trace that fails first (here, then traced by hooks) pays nothing for it."""
    walked: list[nn.Module] = []
    real = keys_module.model_fingerprints
    monkeypatch.setattr(keys_module, "model_fingerprints",
                        lambda root, tree=None: walked.append(root) or real(root, tree))
    with torch.device("meta"):
        model = _Refused()
    with pytest.warns(Warning, match="torch.fx could not trace"):
        trace_model(model, [(4, 8, 8)], name="refused")
    assert walked == []
    with torch.device("meta"):
        stamped_graph(Stacked([("block", 3, 4, False, "zeros", 0.0)]), 1)
    assert len(walked) == 1


def test_stamp_keys_walk_once_for_several_traces() -> None:
    with torch.device("meta"):
        model = Stacked([("block", 3, 4, False, "zeros", 0.0)])
    keys = StampKeys(model)
    stamped_graph(model, 1, keys=keys)
    walk = keys.walk
    assert walk is not None and keys.params() == sum(p.numel() for p in model.parameters())
    stamped_graph(model, 1, keys=keys)
    assert keys.walk is walk


def shared_module_ids(model: nn.Module) -> set[int]:
    """``id``s of the modules ``shared_ids`` finds (not its tensors)."""
    return shared_ids(model) & {id(m) for m in model.modules()}


@SETTINGS
@given(steps=st.lists(STEP, min_size=1, max_size=5), share=st.integers(0, 3))
def test_modules_listed_as_modules_lists_them(steps: list[tuple], share: int) -> None:
    model = Stacked(steps)
    _shared(model, share)
    model.extra = nn.Sequential(model.stem, nn.Identity())  # met again, in another place
    model.none = None
    assert [id(m) for m in _modules(model)] == [id(m) for m in model.modules()]
    tree = module_tree(model)  # the same modules, each once, a module before its children
    assert sorted(map(id, tree.order)) == sorted(map(id, model.modules()))
    assert all(tree.order.index(child) > tree.order.index(module)
               for module in model.modules() for child in module.children()
               if id(child) not in tree.twice)
    assert [id(m) for m in tree.inner] == [id(m) for m in tree.order if m._modules]
    assert tree.twice == ({id(model.stem)} | shared_module_ids(model))
    assert {cls: [id(m) for m in found] for cls, found in tree.classes.items()} == {
        cls: [id(m) for m in tree.order if type(m) is cls] for cls in map(type, tree.order)}
    model.head.training = False  # modes differ
    modules, flags, plain = _modes(model)
    assert sorted(zip(map(id, modules), flags)) == sorted(
        (id(m), m.training) for m in model.modules())
    assert plain
    before = [m.training for m in model.modules()]
    with training_mode(model, True):  # written straight into each module's flag
        assert all(m.training for m in model.modules())
    assert [m.training for m in model.modules()] == before
    model.extra.append(_OwnTrain())
    modules, flags, plain = _modes(model)
    assert not plain  # then listed as modules() lists them, as train() sets them
    assert [(id(m), flag) for m, flag in zip(modules, flags)] == [
        (id(m), m.training) for m in model.modules()]
    before = [m.training for m in model.modules()]
    with training_mode(model, False):  # its own train() runs, and the modes come back
        assert not any(m.training for m in model.modules())
        assert model.extra[-1].told == [False]
    assert [m.training for m in model.modules()] == before


class _OwnTrain(nn.Identity):
    """A module with its own ``train``."""

    def __init__(self) -> None:
        super().__init__()
        self.told: list[bool] = []

    def train(self, mode: bool = True) -> _OwnTrain:
        """Note the mode, set it."""
        self.told.append(mode)
        return super().train(mode)


def _trace_table(model: nn.Module) -> tuple[torch.fx.Tracer, torch.fx.Graph]:
    tracer = torch.fx.Tracer()
    return tracer, tracer.trace(model)


def test_fx_table_of_module_paths_is_kept_and_is_named_modules() -> None:
    """Pins fx's ``Tracer.submodule_paths`` (undocumented), which fx sets while tracing
    and clears after: the tracer keeps it, and inverted it is ``dict(named_modules())``,
    order included, a module held twice under its first path."""
    with torch.device("meta"):
        model = Stacked([("block", 2, 4, False, "zeros", 0.0), ("pair", 1, False)])
    model.again = model.stem
    tracer = StampingTracer()
    tracer.trace(model)
    assert tracer.module_paths is not None
    assert list(named_modules(tracer, model).items()) == list(model.named_modules())
    assert named_modules(StampingTracer(), model) == dict(model.named_modules())


def test_interpreter_set_up_without_its_walk_is_fx_one() -> None:
    """Pins ``torch.fx.Interpreter.__init__``'s attributes (``user_to_last_uses`` is
    fx's own): set up from a given module table, the interpreter holds the same ones."""
    with torch.device("meta"):
        model = Stacked([("block", 2, 4, True, "reflect", 0.5)])
    _, graph = _trace_table(model)
    theirs = torch.fx.Interpreter(model, garbage_collect_values=True, graph=graph)
    mine = torch.fx.Interpreter.__new__(torch.fx.Interpreter)
    interpreter_init(mine, model, graph, dict(model.named_modules()))
    assert set(vars(mine)) == set(vars(theirs))
    for name, value in vars(theirs).items():
        assert getattr(mine, name) == value, name
    shaped = ShapeInterpreter(model, graph, [(3, 16, 16)], torch.device("meta"),
                              submodules=dict(model.named_modules()))
    assert shaped.user_to_last_uses == theirs.user_to_last_uses


_NAME = st.text(alphabet="ab_.-0 9X", min_size=0, max_size=6)


@SETTINGS
@given(prefix=st.text(alphabet="ab_.-0 9X", min_size=1, max_size=8),
       parts=st.lists(st.tuples(st.booleans(), _NAME), min_size=1, max_size=6),
       taken=st.lists(_NAME, max_size=4))
def test_cleaned_names_are_the_names_fx_gives(
    prefix: str, parts: list[tuple[bool, str]], taken: list[str],
) -> None:
    """Names asked for already cleaned (illegal characters replaced, parts cleaned once)
    come out of fx's namespace as the raw ones do, whatever names were taken before."""
    template = Template("", [], [], None)
    template.candidates = parts
    raw = torch.fx.graph._Namespace()
    clean = torch.fx.graph._Namespace()
    for name in taken:
        raw.create_name(name, None)
        clean.create_name(name, None)
    expected = [raw.create_name(prefix + rest if first else rest, None) for first, rest in parts]
    for _ in range(2):  # the template's cleaned parts are kept and used again
        got = [clean.create_name(name, None) for name in _asked(prefix, parts, template)]
        assert got == expected
        expected = [raw.create_name(prefix + rest if first else rest, None)
                    for first, rest in parts]
    assert template.clean is not None


def test_the_cleaned_join_is_checked_where_runs_meet() -> None:
    """A prefix ending and a part starting with illegal characters: fx makes one ``_``
    of the whole run, so the cleaned parts are not simply joined."""
    template = Template("", [], [], None)
    template.candidates = [(True, ".-x")]
    assert _asked("a.", template.candidates, template) == ["a_x"]
    assert walk_module.fingerprints is not None


def test_the_pattern_of_a_call_given_one_value_is_the_walked_one() -> None:
    graph = torch.fx.Graph()
    tracer = torch.fx.proxy.GraphAppendingTracer(graph)
    value = torch.fx.Proxy(graph.placeholder("x"), tracer)
    other = torch.fx.Proxy(graph.placeholder("y"), tracer)
    for args in [((value,), {}), ((value, other), {}), ((value,), {"k": 1}), ((2,), {}),
                 ((torch.fx.proxy.Attribute(value, "shape"),), {})]:
        assert pattern(args) == walked_pattern(args)


@pytest.mark.parametrize("change", ["none", "leaf gains a child", "child replaced",
                                    "child held twice", "child removed"])
def test_the_tree_walked_for_the_modes_serves_the_fingerprints_while_unchanged(
    change: str,
) -> None:
    """The tracer walks the module tree once before the trace (modes) and fingerprints
    from it when first asked; a tree changed since (a forward adding, replacing or
    sharing a module before its first module call) is walked again: the keys are those
    of a fresh walk either way."""
    with torch.device("meta"):
        model = Stacked([("block", 3, 4, False, "zeros", 0.0)])
    tree = module_tree(model)
    blocks = [m for m in model.modules() if isinstance(m, Block)]
    if change == "leaf gains a child":
        blocks[1].bn.extra = nn.ReLU()
    elif change == "child replaced":
        blocks[1].bn = nn.BatchNorm2d(4, device="meta")
    elif change == "child held twice":
        blocks[1].bn = blocks[0].bn
    elif change == "child removed":
        del blocks[1].bn
    assert unchanged(tree) == (change == "none")
    is_leaf = torch.fx.Tracer().is_leaf_module
    given = StampKeys(model, tree).bind(is_leaf)
    fresh = StampKeys(model).bind(is_leaf)
    assert given._keys() == fresh._keys()
    assert _partition(given.walk.keys) == _partition(_two_walks(model))
