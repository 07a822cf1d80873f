"""``readable.writes_global`` reads a code object's opcodes straight from ``co_code``;
held here to ``dis.get_instructions`` (what it replaces) on real code and on generated
functions that write, delete and read globals, with enough names that their arguments
need ``EXTENDED_ARG``."""

from __future__ import annotations

import dis
import sys
import types
from collections.abc import Iterator

import torch.fx
import torch.nn
from hypothesis import given
from hypothesis import strategies as st

from netviz.tracing.readable import READABLE, _codes, readable, writes_global
from tests.properties import steady

_WRITES = {"STORE_GLOBAL", "DELETE_GLOBAL"}


def _by_dis(code: types.CodeType) -> bool:
    return any(i.opname in _WRITES for i in dis.get_instructions(code))


def _code_of(module: types.ModuleType) -> Iterator[types.CodeType]:
    for value in vars(module).values():
        functions = [value]
        if isinstance(value, type):
            functions = [v.__func__ if isinstance(v, (staticmethod, classmethod)) else v
                         for v in vars(value).values()]
        for function in functions:
            if isinstance(function, types.FunctionType):
                yield from _codes(function.__code__)


def test_agrees_with_dis_on_torch_and_netviz_code() -> None:
    modules = [m for name, m in list(sys.modules.items())
               if m is not None and name.startswith(("torch.nn.", "torch.fx.", "netviz."))]
    codes = [code for module in modules for code in _code_of(module)]
    assert len(codes) > 2000
    assert [writes_global(c) for c in codes] == [_by_dis(c) for c in codes]
    assert any(_by_dis(c) for c in codes)  # the corpus has writers (fx's tracing flag)


_STATEMENTS = st.sampled_from([
    "{g} = {i}", "del {g}", "{g} += 1", "x{i} = {g}", "y.a{i} = {i}", "x{i} = y.a{i}",
    "del y.a{i}", "x{i} = [n for n in range({i})]", "x{i} = lambda: {g}",
])
_WRITING = ("{g} = {i}", "del {g}", "{g} += 1")


@steady(60)
@given(st.lists(st.tuples(_STATEMENTS, st.integers(0, 400)), min_size=1, max_size=12))
def test_agrees_with_dis_on_generated_functions(statements: list[tuple[str, int]]) -> None:
    filler = "".join(f"    z{i} = w{i}\n" for i in range(300))  # names past 255: EXTENDED_ARG
    names = ", ".join(f"g{i}" for _, i in statements)
    body = "".join("    " + s.format(g=f"g{i}", i=i) + "\n" for s, i in statements)
    source = f"def f(y):\n    global {names}\n{filler}{body}    return y\n"
    scope: dict[str, object] = {}
    exec(compile(source, "<generated>", "exec"), scope)  # noqa: S102 - test input
    function = scope["f"]
    assert isinstance(function, types.FunctionType)
    for code in _codes(function.__code__):
        assert writes_global(code) == _by_dis(code)
    # the nested code of comprehensions and lambdas is checked as well
    assert _by_dis(function.__code__) == any(s in _WRITING for s, _ in statements)


class _Writer(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        global _SEEN
        _SEEN = x
        return x


_SEEN: object = None


def test_a_forward_writing_a_global_is_not_readable() -> None:
    READABLE.pop(_Writer, None)
    assert not readable(_Writer)
    assert readable(torch.nn.Conv2d)
