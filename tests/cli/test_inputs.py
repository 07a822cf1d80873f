"""Keyword inputs: ``--input NAME=D1,D2[:DTYPE]``, ``inputs=`` in Python, ``input:`` in a fence."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import netviz
from netviz.cli import main
from netviz.errors import InputShapeError, UsageError
from netviz.inputs import NamedInput, named_inputs, parse_input
from netviz.ir import Kind
from netviz.mkdocs.options import FenceError, cli_command, parse_fence
from tests.zoo import MODELS_FILE


class Masked(nn.Module):
    """A token model with an optional mask, fed by keyword (torch.fx traces it)."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(10, 8)
        self.proj = nn.Linear(8, 8)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor | None = None,
                scale: float = 1.0) -> torch.Tensor:
        x = self.embed(ids) * scale
        if mask is not None:
            x = x * mask.unsqueeze(-1)
        return self.proj(x)


class MaskedDataDependent(Masked):
    """The same with data-dependent control flow: module hooks on a meta forward."""

    def forward(self, ids: torch.Tensor, mask: torch.Tensor | None = None,
                scale: float = 1.0) -> torch.Tensor:
        x = self.embed(ids) * scale
        if mask is not None and bool((mask == mask).all()):  # values of an input: known on meta
            x = x * mask.unsqueeze(-1)
        return F.relu(self.proj(x))


def inputs_of(graph: netviz.ir.Graph) -> dict[str, tuple[tuple[int, ...] | None, object]]:
    return {n.id: (n.shape, n.attr("name")) for n in graph.nodes if n.kind is Kind.INPUT}


@pytest.mark.parametrize("model", [Masked, MaskedDataDependent])
def test_keyword_inputs_reach_the_forward_by_name(model: type[nn.Module]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = netviz.trace(model(), inputs={"ids": "6:int64", "mask": (6,)})
    assert inputs_of(graph) == {"ids": ((6,), "ids"), "mask": ((6,), "mask")}
    consumers = {e.dst for e in graph.out_edges("mask")}
    assert consumers and all(graph.node(c).kind is not Kind.OUTPUT for c in consumers)


@pytest.mark.parametrize("model", [Masked, MaskedDataDependent])
def test_positional_and_keyword_inputs_mix(model: type[nn.Module]) -> None:
    """A positional input stays positional (drawn as ``Input``); the keyword one is named."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = netviz.trace(model(), [(5,)], input_dtypes=["int64"], inputs={"mask": (5,)})
    assert inputs_of(graph) == {"ids": ((5,), None), "mask": ((5,), "mask")}


def test_a_meta_model_with_data_dependent_flow_runs_on_meta() -> None:
    """Its branch reads an input's values, which a meta forward knows: no real forward."""
    with torch.device("meta"):
        model = MaskedDataDependent()
    with pytest.warns(netviz.errors.TraceFallbackWarning, match="on the meta device"):
        netviz.trace(model, inputs={"ids": "6:int64", "mask": (6,)})


def test_a_keyword_input_without_dtype_keeps_the_dtype_of_the_one_it_replaces() -> None:
    from netviz.registry import load_model

    loaded = load_model(Masked(), [(4,)], input_dtypes=["int64"], inputs={"ids": (7,)})
    assert loaded.input_shapes == ((7,),) and loaded.input_dtypes == ("int64",)
    assert loaded.input_names is None  # it replaced the positional input, positionally
    loaded = load_model(Masked(), [(4,)], input_dtypes=["int64"], inputs={"mask": (4,)})
    assert loaded.input_names == (None, "mask") and loaded.input_dtypes == ("int64", "float32")


def test_the_input_node_shows_its_name_and_shape() -> None:
    graph = netviz.diagram(Masked(), inputs={"ids": "6:int64", "mask": (6,)}).graph
    labels = {n.id: n.label for n in graph.nodes if n.kind is Kind.INPUT}
    assert labels == {"ids": "ids 6 tokens", "mask": "mask 6"}  # ids fed to an embedding
    # a positional input keeps the notation's plain box
    assert [n.label for n in netviz.diagram("wrn28_2").graph.nodes
            if n.kind is Kind.INPUT] == ["Input"]


def test_parse_input() -> None:
    assert parse_input("input_ids=64:int64") == NamedInput("input_ids", (64,), "int64")
    assert parse_input(" pixel_values = 3x224x224 ") == NamedInput("pixel_values", (3, 224, 224))
    assert parse_input("x=3,32,32:half").dtype == "float16"
    assert NamedInput("a", (2, 3), "bool").text() == "a=2,3:bool"
    for bad in ("x", "=3", "x=", "x=3:", "x=3:nope", "1x=3", "x=1,2,3,4,5,6", "x=-1"):
        with pytest.raises(UsageError, match="malformed input"):
            parse_input(bad)


def test_named_inputs_from_the_api() -> None:
    assert named_inputs({"a": (3,), "b": "4:int64"}) == (
        NamedInput("a", (3,)), NamedInput("b", (4,), "int64"))
    assert named_inputs(["a=3"]) == (NamedInput("a", (3,)),)
    assert named_inputs(None) is None
    for bad in ({"a": (0,)}, {"a": "x"}, {"1a": (3,)}, {"a": 3}, "a=3", ["a=3", "a=4"]):
        with pytest.raises(UsageError):
            named_inputs(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("argv", [
    ["render", "wrn28_2", "--input", "x"],
    ["summary", "wrn28_2", "--input", "x=a"],
    ["pseudocode", "wrn28_2", "--input", "x=3,32,32:int99"],
    ["plot", "wrn28_2", "--input", "x=3,32,32", "--input", "x=3,32,32"],
])
def test_bad_input_syntax_exits_2_with_one_line(argv: list[str], capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code = main([*argv, "-o", str(tmp_path / "out.txt")])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.splitlines()) == 1 and err.startswith("netviz: error: ")
    assert not (tmp_path / "out.txt").exists()


def test_an_input_the_model_does_not_take_is_named(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code = main(["render", f"{MODELS_FILE}:TwoInputs", "--input", "image=3,8,8",
                 "--input", "masks=1,4,4", "-o", str(tmp_path / "d.dot")])
    err = capsys.readouterr().err
    assert code == 1
    assert err == ("netviz: error: TwoInputs takes no input named 'masks' (its forward takes: "
                   "image, mask)\n")


def test_cli_keyword_inputs(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "d.mmd"
    assert main(["render", f"{MODELS_FILE}:TwoInputs", "--input", "image=3,8,8",
                 "--input", "mask=1,4,4", "-o", str(out)]) == 0
    text = out.read_text()
    assert "image 3x8x8" in text and "mask 1x4x4" in text


def test_a_model_without_inputs_says_how_to_give_them() -> None:
    with pytest.raises(InputShapeError, match=r"--input-shape C,H,W or --input NAME="):
        netviz.trace(f"{MODELS_FILE}:FunctionalOps")


def test_the_fence_takes_keyword_inputs() -> None:
    options = parse_fence("model: wrn28_2\ninput: x=3,64,64; y=4:int64\ntrust_remote_code: yes")
    assert options.inputs == (NamedInput("x", (3, 64, 64)), NamedInput("y", (4,), "int64"))
    assert options.trust_remote_code
    assert options.subject.api_options()["inputs"] == options.inputs
    command = cli_command(options)
    assert "--input x=3,64,64 --input y=4:int64 --trust-remote-code" in command
    for bad in ("input:", "input: x", "input: x=1; x=2"):
        with pytest.raises(FenceError, match="input"):
            parse_fence(f"model: wrn28_2\n{bad}")


def test_keyword_inputs_are_part_of_the_cache_key() -> None:
    from netviz.cache import TraceRequest

    plain = TraceRequest.of("wrn28_2").key()
    keyed = TraceRequest.of("wrn28_2", inputs={"x": (3, 64, 64)}).key()
    same = TraceRequest.of("wrn28_2", inputs=["x=3,64,64"]).key()
    assert plain != keyed == same
