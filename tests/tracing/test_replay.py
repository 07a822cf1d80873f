"""Replaying a meta forward's repeated op calls (netviz.tracing.replay): the same graph as
running every op, and nothing answered that memory could get wrong."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
import torch
from torch import nn
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from netviz.ir import Graph
from netviz.tracing import hooks
from netviz.tracing.hooks import PLAIN_TRACE, record_forward
from netviz.tracing.replay import OpMemo


def test_the_private_guards_hide_ops_from_modes() -> None:
    """What replay.py and provenance.py rely on: ops made under ``_DisableTorchDispatch``
    reach no dispatch mode, calls made under ``DisableTorchFunction`` no function mode."""
    seen: list[str] = []

    class Dispatch(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
            seen.append(f"dispatch {func}")
            return func(*args, **(kwargs or {}))

    class Function(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
            seen.append(f"function {getattr(func, '__name__', func)}")
            return func(*args, **(kwargs or {}))

    x = torch.empty(2, 3, device="meta")
    with Dispatch(), Function():
        with torch._C._DisableTorchDispatch(), torch._C.DisableTorchFunction():
            torch.empty_strided((2, 3), (3, 1), device="meta")
            _ = x.shape
        assert seen == []
        torch.empty(2, device="meta")
    assert any(s.startswith("dispatch") for s in seen)
    assert any(s.startswith("function") for s in seen)


def _memos(monkeypatch: pytest.MonkeyPatch) -> list[OpMemo]:
    """The memos the forwards recorded from now on use. Alike blocks all run (they are
    not repeated whole, see tests/tracing/test_repeats.py): these tests are the memo's."""
    made: list[OpMemo] = []
    monkeypatch.setattr(hooks, "Repeats", lambda *_: contextlib.nullcontext())

    class Kept(OpMemo):
        """Keeps, per call, its function's name and whether it was answered from memory."""

        def __init__(self) -> None:
            super().__init__()
            self.calls: list[tuple[str, bool]] = []
            made.append(self)

        def run(self, func, args, kwargs, call):  # type: ignore[no-untyped-def]  # noqa: ANN001
            before = self.answered
            out = super().run(func, args, kwargs, call)
            self.calls.append((getattr(func, "__name__", "?"), self.answered > before))
            return out

    monkeypatch.setattr(hooks, "OpMemo", Kept)
    return made


def _record(model: nn.Module, shapes: list[tuple[int, ...]], dtypes: list[str] | None = None
            ) -> Graph:
    return record_forward(model, shapes, "m", "test", dtypes, None, False, on_meta=True)


def _both(monkeypatch: pytest.MonkeyPatch, build: Callable[[], nn.Module],
          shapes: list[tuple[int, ...]], dtypes: list[str] | None = None
          ) -> tuple[Graph, Graph, OpMemo]:
    """The graph with every op run, with replay, and replay's memo."""
    memos = _memos(monkeypatch)
    with torch.device("meta"):
        model = build()
    monkeypatch.setenv(PLAIN_TRACE, "1")
    plain = _record(model, shapes, dtypes)
    assert memos == []
    monkeypatch.delenv(PLAIN_TRACE)
    replayed = _record(model, shapes, dtypes)
    return plain, replayed, memos[0]


class Block(nn.Module):
    """A block whose forward reads attributes mid-way: ``flat`` (an argument of a call
    whose other arguments are alike in every block) and ``turn`` (a branch)."""

    def __init__(self, flat: int, turn: bool) -> None:
        super().__init__()
        self.fc1 = nn.Linear(8, 8)
        self.fc2 = nn.Linear(8, 8)
        self.flat, self.turn = flat, turn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.relu(self.fc1(x)) * 2
        if self.turn:
            y = y.transpose(-1, -2)  # 8 x 8 tokens: the same shape, other strides
        y = self.fc2(y)
        z = torch.flatten(y, self.flat)  # (1, 64) or (1, 8, 8): other shapes downstream
        return x + z.reshape(x.shape) + z.sum()


class Stack(nn.Module):
    def __init__(self, blocks: list[tuple[int, bool]]) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(Block(flat, turn) for flat, turn in blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return x


def _ran(memo: OpMemo, name: str) -> list[bool]:
    """For each call of ``name``, in order: whether it ran (was not answered)."""
    return [not answered for called, answered in memo.calls if called == name]  # type: ignore[attr-defined]


def test_alike_blocks_are_answered_from_memory_with_the_same_graph(
        monkeypatch: pytest.MonkeyPatch) -> None:
    plain, replayed, memo = _both(monkeypatch, lambda: Stack([(1, False)] * 4), [(8, 8)])
    assert replayed == plain and repr(replayed) == repr(plain)
    assert _ran(memo, "linear") == [True, True] + [False] * 6  # fc1, fc2 of block 1 only
    assert _ran(memo, "flatten") == [True, False, False, False]


def test_a_sequence_that_diverges_mid_block_is_not_replayed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks alike in class and weights but not in what their forward reads: a block
    that turns mid-way, or flattens from another dim, runs the calls that differ (their
    shapes, strides and MACs are its own); calls alike, before or after, are answered."""
    blocks = [(1, False), (2, False), (1, True), (1, False), (2, True)]
    plain, replayed, memo = _both(monkeypatch, lambda: Stack(blocks), [(8, 8)])
    assert replayed == plain and repr(replayed) == repr(plain)
    shapes = [n.shape for n in plain.nodes if n.type_name == "flatten"]
    assert shapes == [(64,), (8, 8), (64,), (64,), (8, 8)]
    assert _ran(memo, "transpose") == [True, False]  # block 3 turns first
    # fc2 on the turned (transposed) input: other strides, so it runs in block 3
    assert _ran(memo, "linear") == [True, True, False, False, False, True] + [False] * 4
    # flat=2 is a call of its own; fc2's output is alike again after a turn
    assert _ran(memo, "flatten") == [True, True, False, False, False]


class Masked(nn.Module):
    """Selects tokens by a mask computed from the token ids (a value on meta), per block
    with its own threshold: the output's shape follows from the mask's value."""

    def __init__(self, blocks: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(10, 4)
        self.fcs = nn.ModuleList(nn.Linear(4, 4) for _ in range(blocks))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids)
        outs = []
        for index, fc in enumerate(self.fcs):
            mask = ids[0] >= index // 2  # the same value for blocks 0-1, 2-3, ...
            count = torch.zeros(1, device=ids.device)
            count.add_(mask.sum())  # a write into a tensor with a value
            outs.append(fc(x[:, mask]).sum(1) * count)
        return torch.stack(outs)


def test_values_key_the_calls_they_enter(monkeypatch: pytest.MonkeyPatch) -> None:
    """A call on a tensor carrying a value is answered only for an equal value; a write
    into a value is never skipped."""
    from netviz.inputs import Fill

    memos = _memos(monkeypatch)
    with torch.device("meta"):
        model = Masked(4)
    fill = Fill(((0, 2), (1, 2), (2, 2), (3, 2)))  # ids 0 0 1 1 2 2 3 3

    def run() -> Graph:
        return record_forward(model, [(8,)], "m", "test", ["int64"], None, False,
                              on_meta=True, input_fills=[fill])

    monkeypatch.setenv(PLAIN_TRACE, "1")
    plain = run()
    monkeypatch.delenv(PLAIN_TRACE)
    replayed = run()
    assert replayed == plain and repr(replayed) == repr(plain)
    assert [n.shape for n in plain.nodes if n.id.startswith("fcs.")] == [
        (8, 4), (8, 4), (6, 4), (6, 4)]  # ids >= 0 and ids >= 1: 8 and 6 tokens
    assert memos[0].answered > 0
    assert _ran(memos[0], "add_") == [True] * 4  # writes into a value: never skipped


@pytest.mark.parametrize("name", ["llama", "gpt2", "bert"])
def test_small_transformers_give_the_same_graph(
        monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    pytest.importorskip("transformers")
    from tests.huggingface import small

    build = getattr(small, name)
    plain, replayed, memo = _both(monkeypatch, build, [(small.TOKENS,)], ["int64"])
    assert replayed == plain and repr(replayed) == repr(plain)
    assert memo.answered > 0
