"""The fingerprints' readers of many modules at once (``attribute_rows``, ``layout_rows``)
are held to the module-by-module forms they replace: two modules' rows are equal exactly
when their attributes ``_frozen`` one by one are (``plain_attributes``), or their
``tensor_layout``s are; generated over values of mixed types in one column (``1``,
``True``, ``1.0``, ``-0.0``, nan, tuples and lists of ints and others, sets), hooks,
tensors kept as attributes, parameters, buffers and empty slots. The registries a hook
is looked for in are pinned to ``nn.Module.__call__``'s."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from netviz.tracing.fingerprints import (
    CALLED_HOOKS, HOOKS, Unsafe, attribute_rows, layout_rows, plan, tensor_layout,
)
from netviz.tracing.walk import fingerprints
from tests.properties import steady
from tests.tracing.test_walks import plain_attributes

_SCALAR = st.one_of(st.integers(-3, 3), st.booleans(), st.none(), st.text(max_size=2),
                    st.floats(allow_nan=True), st.sampled_from([0.0, -0.0, 1.0, 1, True]))
_VALUE = st.recursive(_SCALAR, lambda inner: st.one_of(
    st.tuples(inner, inner), st.lists(inner, max_size=4), st.lists(st.integers(), max_size=4),
    st.tuples(st.integers(-2, 2), st.integers(-2, 2)), st.frozensets(st.integers(), max_size=2),
    st.sets(st.integers(), max_size=2)), max_leaves=6)
_ODD = st.sampled_from(["tensor", "method", "hook", "pre hook", "deep"])
"""What makes a module refused: a tensor or a bound method kept as an attribute, a
forward hook or pre-hook (registered with keywords), a value nested too deep."""


def _module(values: list[object], odd: str | None) -> nn.Module:
    module = nn.Module()
    for i, value in enumerate(values):
        setattr(module, f"a{i}", value)
    if odd == "tensor":
        module.a0 = torch.zeros(2)
    elif odd == "method":
        module.a0 = module.train
    elif odd == "deep":
        module.a0 = [[[[[[[1]]]]]]]
    elif odd == "hook":
        module.register_forward_hook(lambda m, args, kwargs, out: None, with_kwargs=True)
    elif odd == "pre hook":
        module.register_forward_pre_hook(lambda m, args, kwargs: None, with_kwargs=True)
    return module


def _plain(module: nn.Module) -> tuple[object, ...] | None:
    try:
        return plain_attributes(module)
    except Unsafe:
        return None


@steady(200)
@given(pool=st.lists(_VALUE, min_size=1, max_size=4), width=st.integers(0, 4),
       picks=st.lists(st.tuples(st.lists(st.integers(0, 3), min_size=4, max_size=4),
                                st.one_of(st.none(), _ODD)), min_size=1, max_size=6))
def test_attribute_rows_compare_as_frozen_values_do(
    pool: list[object], width: int, picks: list[tuple[list[int], str | None]],
) -> None:
    """Modules of one layout, each attribute's value picked from a small pool (so that
    values repeat, or differ only in type) or made unsafe: rows equal where the values
    ``_frozen`` one by one are, refused where that raises."""
    modules = [_module([pool[i % len(pool)] for i in chosen[:width]], odd)
               for chosen, odd in picks]
    dicts = [vars(m) for m in modules]
    if any(tuple(d) != tuple(dicts[0]) for d in dicts):  # a hook's registries: other keys
        return
    rows, refused = attribute_rows(dicts, plan(dicts[0]))
    rows = list(rows)
    expected = [_plain(m) for m in modules]
    assert refused == {i for i, e in enumerate(expected) if e is None}
    for i, row in enumerate(rows):
        hash(row)
        for j in range(len(rows)):
            if i not in refused and j not in refused:
                assert (row == rows[j]) == (expected[i] == expected[j]), (i, j)


def _attributes(module: nn.Module) -> tuple[object, ...]:
    """``module``'s attribute row, read as a group of one."""
    found = vars(module)
    rows, refused = attribute_rows([found], plan(found))
    if refused:
        raise Unsafe("a hook or an attribute that cannot be compared")
    return next(iter(rows))


@steady(100)
@given(st.lists(_VALUE, min_size=1, max_size=5))
def test_one_module_s_attributes_are_its_row_in_a_group_of_one(values: list[object]) -> None:
    module, twin = _module(values, None), _module(values, None)
    assert _attributes(module) == _attributes(twin)
    rows, _ = attribute_rows([vars(module)], plan(vars(module)))
    assert list(rows) == [_attributes(module)]


_SLOT = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(["param", "frozen param", "buffer"]),
              st.lists(st.integers(1, 3), max_size=2).map(tuple),
              st.sampled_from([torch.float32, torch.float16, torch.int64])),
)


def _layout_module(slots: list[object], names: list[str], pool: list[torch.Tensor],
                   share: int | None) -> nn.Module:
    module = nn.Module()
    for name, slot in zip(names, slots):
        if slot is None:
            module.register_parameter(name, None)
            continue
        kind, shape, dtype = slot  # type: ignore[misc]
        tensor = torch.zeros(shape, dtype=dtype, device="meta")
        if kind == "buffer":
            module.register_buffer(name, tensor)
        else:
            grad = kind == "param" and dtype is not torch.int64
            module.register_parameter(name, nn.Parameter(tensor, requires_grad=grad))
    if share is not None and pool:  # a tensor held by another module too
        module.register_buffer("shared", pool[share % len(pool)])
    return module


@steady(150)
@given(layouts=st.lists(st.lists(_SLOT, min_size=3, max_size=3), min_size=1, max_size=6),
       width=st.integers(0, 3), renamed=st.lists(st.booleans(), min_size=6, max_size=6),
       shares=st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=6, max_size=6))
def test_layout_rows_compare_as_tensor_layouts_do(
    layouts: list[list[object]], width: int, renamed: list[bool],
    shares: list[int | None],
) -> None:
    """Modules holding parameters (with and without gradients), buffers and empty slots
    under the same or other names: rows equal where the ``tensor_layout``s are; every
    tensor read once, its ``id`` noted; the parameters' elements counted."""
    pool = [torch.zeros(2, device="meta")]
    modules = [_layout_module(slots[:width], ["w", "b", "c"] if not renamed[i] else
                              ["b", "w", "c"], pool, shares[i])
               for i, slots in enumerate(layouts)]
    seen: set[int] = set()
    found = layout_rows(modules, seen)
    rows = list(found.rows)
    expected = [tensor_layout(m, frozenset()) for m in modules]
    for i, row in enumerate(rows):
        hash(row)
        for j in range(len(rows)):
            assert (row == rows[j]) == (expected[i] == expected[j]), (i, j)
    tensors = [t for m in modules for t in (*m._parameters.values(), *m._buffers.values())
               if t is not None]
    assert found.read == len(tensors)
    assert seen == {id(t) for t in tensors}
    params = [t for m in modules for t in m._parameters.values() if t is not None]
    assert found.params == sum(t.numel() for t in params)


class _Tagged(nn.Parameter):
    """A parameter of a subclass (counted by ``parameters()``, not by the walk)."""


def test_a_parameter_of_another_type_is_not_counted() -> None:
    module = nn.Linear(2, 3, device="meta")
    module.weight = _Tagged(module.weight)
    assert layout_rows([module], set()).params is None
    assert layout_rows([nn.Linear(2, 3, device="meta")], set()).params == 9


def test_float_columns_tell_minus_zero_and_nan_apart_as_frozen_values_do() -> None:
    values = [1.5, 1.5, 0.0, -0.0, math.nan, math.nan, 2.0]
    modules = [_module([v], None) for v in values]
    rows, _ = attribute_rows([vars(m) for m in modules], plan(vars(modules[0])))
    rows = list(rows)
    assert rows[0] == rows[1] and rows[2] != rows[3] and rows[4] == rows[5]
    assert rows[2] != rows[6]
    clean = [_module([v], None) for v in (1.5, 1.5, 2.0)]  # kept as they are
    rows, _ = attribute_rows([vars(m) for m in clean], plan(vars(clean[0])))
    rows = list(rows)
    assert rows[0] == rows[1] != rows[2]


@pytest.mark.parametrize("where", sorted(HOOKS))
def test_hooks_are_looked_for_where_module_call_runs_them(where: str) -> None:
    """Pins ``nn.Module.__call__``: it runs hooks from ``CALLED_HOOKS`` only (an entry in
    another registry alone, which only says how to call a hook, runs nothing); a module
    with a hook there has no fingerprint."""
    module = nn.Linear(2, 2)
    ran: list[str] = []
    if where in CALLED_HOOKS:  # through the method registering there
        method = {"_forward_hooks": "register_forward_hook",
                  "_forward_pre_hooks": "register_forward_pre_hook",
                  "_backward_hooks": "register_full_backward_hook",
                  "_backward_pre_hooks": "register_full_backward_pre_hook"}[where]
        getattr(module, method)(lambda *args: ran.append(where))
        assert getattr(module, where)
    else:
        getattr(module, where)[0] = True
    module(torch.ones(2, requires_grad=True)).sum().backward()
    assert bool(ran) == (where in CALLED_HOOKS)
    model = nn.Sequential(nn.Identity(), module)
    assert (id(module) in fingerprints(model)) == (where not in CALLED_HOOKS)


@pytest.mark.parametrize("register", [
    lambda m: m.register_forward_hook(lambda *a: None, with_kwargs=True, always_call=True),
    lambda m: m.register_forward_pre_hook(lambda *a: None, with_kwargs=True),
    lambda m: m.register_full_backward_hook(lambda *a: None),
    lambda m: m.register_full_backward_pre_hook(lambda *a: None),
    lambda m: m.register_backward_hook(lambda *a: None),
])
def test_every_way_to_register_a_hook_fills_a_called_registry(register: object) -> None:
    module = nn.Identity()
    register(module)  # type: ignore[operator]
    assert any(getattr(module, name) for name in CALLED_HOOKS)
    assert id(module) not in fingerprints(nn.Sequential(module))
