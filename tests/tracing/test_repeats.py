"""Blocks recorded once (netviz.tracing.repeats): a meta forward under module hooks runs
the first of alike blocks and repeats what it recorded for the others, with the graph of
a plain forward; a block that might record something else runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.modules.module import register_module_forward_hook

from netviz.ir import Graph
from netviz.tracing.hooks import PLAIN_TRACE, ForwardFailed, record_forward

RUNS: list[int] = []
"""``id`` of each block whose forward ran (read without touching a block's attributes)."""


class Block(nn.Module):
    """``index`` differs in every block and is never read; ``window`` and ``scale`` are
    read (a branch, an operand)."""

    def __init__(self, index: int, window: int | None = None, scale: float = 2.0,
                 writes: bool = False) -> None:
        super().__init__()
        self.fc1 = nn.Linear(8, 8)
        self.fc2 = nn.Linear(8, 8)
        self.index, self.window, self.scale, self.writes = index, window, scale, writes

    def forward(self, x: torch.Tensor, memory: Any = None) -> torch.Tensor:
        RUNS.append(id(self))
        y = torch.relu(self.fc1(x))
        if self.window is not None:
            y = torch.tanh(y)
        if self.writes:  # state that changes with every call
            self.calls = self.__dict__.get("calls", 0) + 1
        if memory is not None:
            memory.append(y)
        return x + self.fc2(y) * self.scale


class Stack(nn.Module):
    def __init__(self, blocks: list[Block], memory: bool = False) -> None:
        super().__init__()
        self.stem = nn.Linear(8, 8)
        self.blocks = nn.ModuleList(blocks)
        self.memory = memory

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        memory: list[torch.Tensor] | None = [] if self.memory else None
        x = self.stem(x)  # every block's input made by a layer (features last)
        for block in self.blocks:
            x = block(x, memory)
        return x


def _both(monkeypatch: pytest.MonkeyPatch, build: Callable[[], nn.Module],
          shapes: list[tuple[int, ...]]) -> tuple[Graph, Graph, int, int]:
    """The plain graph, the graph with repeats, and how many blocks ran in each."""
    with torch.device("meta"):
        model = build()
    monkeypatch.setenv(PLAIN_TRACE, "1")
    RUNS.clear()
    plain = record_forward(model, shapes, "m", "test", None, None, False, on_meta=True)
    plain_runs = len(RUNS)
    monkeypatch.delenv(PLAIN_TRACE)
    RUNS.clear()
    repeated = record_forward(model, shapes, "m", "test", None, None, False, on_meta=True)
    return plain, repeated, plain_runs, len(RUNS)


def _same(plain: Graph, repeated: Graph) -> None:
    assert repeated == plain
    assert repr(repeated) == repr(plain)


def test_alike_blocks_run_once_whatever_their_unread_attributes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    plain, repeated, plain_runs, runs = _both(
        monkeypatch, lambda: Stack([Block(i) for i in range(4)]), [(4, 8)])
    _same(plain, repeated)
    assert (plain_runs, runs) == (4, 1)
    assert [n.id for n in repeated.nodes if n.id.startswith("blocks.")
            and n.type_name == "Linear"] == [
        f"blocks.{i}.fc{j}" for i in range(4) for j in (1, 2)]


def test_blocks_differing_in_an_attribute_their_forward_reads_do_not_share(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # a window on every other block (a branch), as sliding and full attention alternate
    plain, repeated, plain_runs, runs = _both(
        monkeypatch, lambda: Stack([Block(i, window=3 if i % 2 else None) for i in range(6)]),
        [(4, 8)])
    _same(plain, repeated)
    assert (plain_runs, runs) == (6, 2)  # one of each kind
    assert [n.scope for n in repeated.nodes if n.type_name == "tanh"] == [
        "blocks.1", "blocks.3", "blocks.5"]
    # an operand read in every block, different in each
    plain, repeated, plain_runs, runs = _both(
        monkeypatch, lambda: Stack([Block(i, scale=1.0 + i) for i in range(4)]), [(4, 8)])
    _same(plain, repeated)
    assert (plain_runs, runs) == (4, 4)


def test_a_block_with_a_hook_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def build() -> nn.Module:
        stack = Stack([Block(i) for i in range(4)])
        stack.blocks[2].fc1.register_forward_hook(lambda *_: seen.append("fc1"))
        return stack

    plain, repeated, plain_runs, runs = _both(monkeypatch, build, [(4, 8)])
    _same(plain, repeated)
    assert (plain_runs, runs) == (4, 2)  # blocks 0 and 2
    assert seen == ["fc1", "fc1"]  # the user's hook ran in both forwards
    handle = register_module_forward_hook(lambda *_: None)  # another tool's, on every module
    try:
        plain, repeated, plain_runs, runs = _both(
            monkeypatch, lambda: Stack([Block(i) for i in range(4)]), [(4, 8)])
    finally:
        handle.remove()
    _same(plain, repeated)
    assert (plain_runs, runs) == (4, 4)


def test_nothing_is_left_on_the_model_or_its_classes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The wrappers (instance-level forwards) and the descriptors watching attributes live
    for one forward, and are gone after it, also when it fails."""

    class Failing(Block):
        def forward(self, x: torch.Tensor, memory: Any = None) -> torch.Tensor:
            if self.window is not None:
                raise ValueError("no window here")
            return super().forward(x, memory)

    for cls, fails in ((Block, False), (Failing, True)):
        with torch.device("meta"):
            model = Stack([cls(i, window=2 if i % 2 else None) for i in range(4)])
        before = Block.__dict__.copy(), Failing.__dict__.copy()
        seen: list[bool] = []
        model.stem.register_forward_pre_hook(  # mid-forward
            lambda *_, cls=cls: seen.append("window" in cls.__dict__))
        if fails:
            with pytest.raises(ForwardFailed, match="blocks.1"):
                record_forward(model, [(4, 8)], "m", "test", None, None, False, on_meta=True)
        else:
            record_forward(model, [(4, 8)], "m", "test", None, None, False, on_meta=True)
        assert seen == [True]  # the window was watched while the forward ran
        assert (Block.__dict__.copy(), Failing.__dict__.copy()) == before
        assert not any("forward" in m.__dict__ for m in model.modules())


def test_blocks_reading_a_shared_object_or_writing_state_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # a list every block appends to (as a cache object)
    plain, repeated, plain_runs, runs = _both(
        monkeypatch, lambda: Stack([Block(i) for i in range(3)], memory=True), [(4, 8)])
    _same(plain, repeated)
    assert (plain_runs, runs) == (3, 3)
    # a forward writing an attribute of its own
    plain, repeated, plain_runs, runs = _both(
        monkeypatch, lambda: Stack([Block(i, writes=True) for i in range(3)]), [(4, 8)])
    _same(plain, repeated)
    assert (plain_runs, runs) == (3, 3)


def test_blocks_called_on_other_inputs_run(monkeypatch: pytest.MonkeyPatch) -> None:
    class Fed(nn.Module):
        """Each block called on the model's input (the same producer) and on the last
        output (a different one), then on a wider input."""

        def __init__(self) -> None:
            super().__init__()
            self.stem = nn.Linear(8, 8)
            self.blocks = nn.ModuleList(Block(i) for i in range(4))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = self.stem(x)
            y = self.blocks[0](x) + self.blocks[1](x)
            y = self.blocks[2](y)
            return self.blocks[3](torch.cat([y, y], 0)).sum(0, keepdim=True)

    plain, repeated, plain_runs, runs = _both(monkeypatch, Fed, [(4, 8)])
    _same(plain, repeated)
    assert (plain_runs, runs) == (4, 2)  # blocks 1 and 2 repeat block 0; block 3 runs


def test_an_input_an_op_returns_itself_is_followed_after_a_repeated_block(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``x.contiguous()`` of a contiguous ``x`` returns ``x`` itself: the block's node
    becomes where ``x`` comes from, also for the residual add after the block."""

    class Passing(Block):
        def forward(self, x: torch.Tensor, memory: Any = None) -> torch.Tensor:
            x.contiguous()
            return super().forward(x, memory)

    class Residual(Stack):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = self.stem(x)
            for block in self.blocks:
                x = block(x) + x
            return x

    plain, repeated, plain_runs, runs = _both(
        monkeypatch, lambda: Residual([Passing(i) for i in range(4)]), [(4, 8)])
    _same(plain, repeated)
    assert (plain_runs, runs) == (4, 1)
    residuals = [e.src for e in repeated.edges if e.dst.startswith("add()")]  # the stack's
    assert [r for r in residuals if r.endswith("contiguous()")] == [
        f"blocks.{i}.contiguous()" for i in range(4)]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([None, 2]), st.sampled_from([1.0, 2.0]),
                          st.booleans()), min_size=2, max_size=5),
       st.booleans())
def test_the_graph_is_the_plain_forwards_property(
        kinds: list[tuple[int | None, float, bool]], memory: bool) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        plain, repeated, plain_runs, runs = _both(
            monkeypatch, lambda: Stack([Block(i, window, scale, writes)
                                        for i, (window, scale, writes) in enumerate(kinds)],
                                       memory=memory), [(4, 8)])
    _same(plain, repeated)
    distinct = len({(w, s) for w, s, _ in kinds})
    writers = sum(1 for _, _, writes in kinds if writes)
    assert plain_runs == len(kinds)
    assert runs <= (len(kinds) if memory else distinct + writers)


def test_llama_layers_run_once_with_the_plain_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """transformers' Llama: the first decoder layer runs, the others are repeated (their
    ``layer_idx`` differs and is read only with a cache), and the graph is the plain one."""
    from transformers.models.llama import modeling_llama

    from netviz.registry import load_model

    forward = modeling_llama.LlamaMLP.forward
    mlp_runs: list[int] = []

    def counted(self: nn.Module, *args: Any, **kwargs: Any) -> Any:
        mlp_runs.append(1)
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(modeling_llama.LlamaMLP, "forward", counted)
    loaded = load_model("hf:LlamaModel(hidden_size=64, intermediate_size=96, "
                        "num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2, "
                        "vocab_size=128)", None)

    plain, repeated, plain_runs, runs = _loaded_both(monkeypatch, loaded, mlp_runs)
    assert (plain_runs, runs) == (4, 1)
    _same(plain, repeated)
    assert sum(n.params for n in repeated.nodes) == sum(
        p.numel() for p in loaded.module.parameters())


def test_gemma2_sliding_and_full_layers_share_only_with_their_kind(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """transformers' Gemma 2 alternates sliding-window and full attention: its layers
    differ in ``sliding_window``, which their forward reads; each repeats only a layer of
    its own kind (layer 0, fed by the scaled embedding, runs for itself)."""
    from transformers.models.gemma2 import modeling_gemma2

    from netviz.registry import load_model

    forward = modeling_gemma2.Gemma2MLP.forward
    runs: list[int] = []

    def counted(self: nn.Module, *args: Any, **kwargs: Any) -> Any:
        runs.append(self.up_proj.in_features)
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(modeling_gemma2.Gemma2MLP, "forward", counted)
    loaded = load_model("hf:Gemma2Model(num_hidden_layers=4, hidden_size=64, "
                        "intermediate_size=128, num_attention_heads=4, num_key_value_heads=2, "
                        "vocab_size=100, head_dim=16, sliding_window=8)", None)
    kinds = [layer.self_attn.sliding_window for layer in loaded.module.layers]
    assert kinds == [8, None, 8, None]

    plain, repeated, plain_runs, repeated_runs = _loaded_both(monkeypatch, loaded, runs)
    assert plain_runs == 4
    _same(plain, repeated)
    assert repeated_runs == 3  # layers 0, 1, 2; layer 3 repeats layer 1 (full attention)


def _loaded_both(monkeypatch: pytest.MonkeyPatch, loaded: Any,
                 runs: list[int]) -> tuple[Graph, Graph, int, int]:
    """The plain trace of a loaded model and the one repeating alike blocks, with how
    many entries each left in ``runs`` (a counted forward appends to it)."""
    monkeypatch.setenv(PLAIN_TRACE, "1")
    runs.clear()
    plain = _trace_loaded(loaded)
    plain_runs = len(runs)
    monkeypatch.delenv(PLAIN_TRACE)
    runs.clear()
    repeated = _trace_loaded(loaded)
    return plain, repeated, plain_runs, len(runs)


def _trace_loaded(loaded: Any) -> Graph:
    """Trace a model the registry loaded, as netviz does (torch.fx cannot trace a
    transformers model: the fallback's warning is expected)."""
    from netviz.tracing.tracer import trace_model

    with pytest.warns(Warning):
        return trace_model(loaded.module, loaded.input_shapes, name=loaded.name,
                           input_dtypes=loaded.input_dtypes, input_names=loaded.input_names,
                           input_fills=loaded.input_fills)
