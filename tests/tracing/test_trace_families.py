"""Families beyond ResNet: MACs against counts written out, widths, attention, dtypes, modes."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

import netviz
from netviz.errors import InputShapeError, ModelSpecError, UsageError
from netviz.ir import Graph, Kind
from tests.tracing import families

FILE = families.__file__
IMAGE = [(3, families.IMAGE, families.IMAGE)]
TOKENS = [(families.LENGTH,)]


def spec(name: str) -> str:
    return f"{FILE}:{name}"


def total_macs(graph: Graph) -> int:
    return sum(node.macs for node in graph.nodes)


@pytest.mark.parametrize(("name", "shapes", "dtypes", "expected"), [
    ("ViT", IMAGE, None, families.vit_macs()),
    ("vit_qkv", IMAGE, None, families.vit_macs()),
    ("Swin", IMAGE, None, families.swin_macs()),
    ("ConvNeXt", IMAGE, None, families.convnext_macs()),
    ("TinyLM", TOKENS, ["int64"], families.lm_macs()),
    ("Tagger", TOKENS, ["int64"], families.tagger_macs()),
    ("regnet_like", IMAGE, None, families.regnet_macs()),
])
def test_macs_equal_the_analytic_count(name, shapes, dtypes, expected) -> None:
    graph = netviz.trace(spec(name), shapes, input_dtypes=dtypes)
    assert total_macs(graph) == expected
    table = netviz.summary(spec(name), "json", input_shapes=shapes, input_dtypes=dtypes)
    assert f'"mult_adds": {expected},' in table


def data_labels(name: str, inputs=IMAGE, **options) -> list[str]:
    graph = netviz.diagram(spec(name), inputs, **options).graph
    return [n.label for n in graph.nodes if n.kind is Kind.DATA]


def test_data_nodes_show_the_width_the_layers_act_on() -> None:
    assert set(data_labels("ViT")) == {f"{families.D}D"}  # not the token count
    assert set(data_labels("Swin")) == {f"{families.D}C"}  # NHWC: the channels, not H
    assert set(data_labels("ConvNeXt")) == {f"{families.D}C"}
    assert set(data_labels("ViT", shapes=True)) == {f"{families.D}D {families.TOKENS}"}
    assert set(data_labels("Swin", shapes=True)) == {f"{families.D}C 8x8"}


def labels(name: str, inputs=IMAGE, **options) -> list[str]:
    return [n.label for n in netviz.diagram(spec(name), inputs, **options).graph.nodes]


def test_attention_is_one_box_that_says_what_it_is() -> None:
    assert labels("ViT").count(f"MHA {families.HEADS}h {families.D}D") == 1  # folded: x N = 2
    assert labels("vit_qkv").count(f"Attention {families.HEADS}h {families.D}D") == 1
    swin = labels("Swin")
    assert f"Window attention 2h {families.D}D 4x4" in swin
    assert not {"MatMul", "Softmax", "Split", "Getitem"} & set(labels("vit_qkv") + swin)


def test_attention_traced_alone_counts_its_heads() -> None:
    """The module is the whole model: only its core collapses, heads read off the product."""
    qkv = labels(f"QKVAttention({families.D}, {families.HEADS})", [(families.TOKENS, families.D)])
    assert f"Attention {families.HEADS}h {families.D}D" in qkv
    window = labels(f"WindowAttention({families.D}, 2, 4)", [(16, families.D)])
    assert f"Attention 2h {families.D}D" in window  # one window: plain attention


def test_an_input_takes_the_axis_of_the_first_op_that_reads_it() -> None:
    """Traced alone, a token block's input is ``(tokens, D)``: its width is D, not the tokens
    (read through shape-keeping ops: ViT's position add); token ids have none."""

    def input_widths(model: str, inputs: list, **options) -> list[int | None]:
        graph = netviz.trace(model, inputs, **options)
        return [n.width for n in graph.nodes if n.kind is Kind.INPUT]

    tokens = [(families.TOKENS, families.D)]
    block = spec(f"PreNormBlock({families.D}, {families.HEADS}, True)")
    assert input_widths(block, tokens) == [families.D]
    encoder = f"netviz_models.vit:Encoder({families.TOKENS}, 1, 4, {families.D}, 64)"
    assert input_widths(encoder, tokens) == [families.D]  # + pos_embedding, then LayerNorm
    swin = spec(f"SwinBlock({families.D}, 2, 4, 2)")
    assert input_widths(swin, [(8, 8, families.D)]) == [families.D]  # NHWC: the channels
    assert input_widths(spec("ConvNeXt"), IMAGE) == [3]
    assert input_widths(spec("TinyLM"), TOKENS, input_dtypes=["int64"]) == [None]


def test_constant_operands_are_labelled_boxes_not_joins() -> None:
    vit = netviz.diagram(spec("ViT"), IMAGE).graph
    (pos,) = [n for n in vit.nodes if n.label == "+ pos_embedding"]
    assert pos.kind is Kind.OTHER
    assert "Concat cls_token" in [n.label for n in vit.nodes]
    assert "× γ" in labels("ConvNeXt")


def test_views_selections_and_eval_no_ops_are_hidden_from_diagrams_but_listed() -> None:
    drawn = labels("ConvNeXt") + labels("vit_qkv") + labels("Swin")
    for hidden in ("Permute", "Reshape", "View", "Flatten", "Transpose", "Getitem", "Expand",
                   "Dropout", "Contiguous"):
        assert hidden not in drawn
    # a shift moves data: the attention box it leads into says so (the rolls and window
    # views around a window attention are its shifted windows)
    assert "Roll" not in drawn and any(d.startswith("Shifted window attention") for d in drawn)
    listing = netviz.pseudocode(spec("vit_qkv"), IMAGE)
    assert "Permute" in listing and "Getitem" in listing and "Softmax" in listing


def test_dict_outputs_are_named_and_unused_lstm_state_is_not_drawn() -> None:
    graph = netviz.diagram(spec("Tagger"), TOKENS, input_dtypes=["int64"]).graph
    outputs = [n.label for n in graph.nodes if n.kind is Kind.OUTPUT]
    assert outputs == ["Output tags", "Output features"]
    assert [n.label for n in graph.nodes if n.kind is not Kind.OUTPUT] == [
        "Input 12 tokens", "Embedding 32D", "BiLSTM 24D x2", "Linear 5D"]


def test_the_model_class_can_declare_its_input_dtype() -> None:
    assert "Encoder 4h 32D 64F x2" in labels("TinyLM", TOKENS)  # TinyLM.input_dtype = "int64"


def test_float_input_to_an_embedding_is_one_clear_error() -> None:
    with pytest.raises(InputShapeError, match=r"layer 'embed' \(Embedding\) expects integer "
                       r"indices, got float32; give the input dtype, e.g. --input-dtype int64"):
        netviz.trace(spec("Tagger"), TOKENS)


def test_bad_dtypes_are_one_clear_error() -> None:
    with pytest.raises(UsageError, match="unknown input dtype 'int65'"):
        netviz.trace(spec("Tagger"), TOKENS, input_dtypes=["int65"])
    with pytest.raises(InputShapeError, match=r"2 input dtype\(s\) given for 1 input"):
        netviz.trace(spec("Tagger"), TOKENS, input_dtypes=["int64", "int64"])


def test_models_are_traced_in_eval_mode_unless_asked() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback to module hooks in eval mode
        graph = netviz.trace(spec("TrainingBranch"), IMAGE)
    assert [n.id for n in graph.nodes if n.kind is Kind.CONV] == ["conv"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trained = netviz.trace(spec("TrainingBranch"), IMAGE, train=True)
    assert [n.scope for n in trained.nodes if n.kind is Kind.CONV] == ["conv", "aux"]
    assert dict(trained.meta)["mode"] == "train"


def test_train_mode_keeps_dropout_and_stochastic_depth() -> None:
    eval_labels = labels("ConvNeXt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train_labels = labels("ConvNeXt", train=True)
    assert "Dropout" not in labels("ViT") and "Dropout" in labels("ViT", train=True)
    assert len(train_labels) > len(eval_labels)  # the random keep-mask ops of DropPath


def test_instances_get_their_own_mode_back() -> None:
    model = families.TrainingBranch()
    model.train()
    netviz.trace(model, IMAGE)
    assert model.training and model.aux.training
    model.eval()
    netviz.trace(model, IMAGE, train=True)
    assert not model.training and not model.aux.training


def test_a_builder_computing_with_constants_is_built_on_meta() -> None:
    """Values that depend on no weight are known on meta (netviz.tracing.meta)."""
    loaded = netviz.load_model(spec("regnet_like"), IMAGE)
    assert next(loaded.module.parameters()).device.type == "meta"
    assert [n.label for n in netviz.diagram(spec("regnet_like"), IMAGE).graph.nodes
            if n.kind is Kind.CONV] == ["3x3 8C 1S 1P", "3x3 16C 1S 1P", "3x3 24C 1S 1P"]


def test_a_builder_that_needs_a_random_value_is_built_on_cpu() -> None:
    def builder() -> nn.Module:
        torch.manual_seed(0)
        width = int(torch.randint(4, 5, (1,)).item())  # random: no value on meta
        return nn.Sequential(nn.Conv2d(3, width, 3))

    loaded = netviz.load_model(builder(), IMAGE)  # an instance: built as it is
    assert next(loaded.module.parameters()).device.type == "cpu"
    from netviz.registry import _call_builder

    built = _call_builder("random_width", builder, "meta")
    assert next(built.parameters()).device.type == "cpu" and built[0].out_channels == 4


def test_a_builder_failing_on_cpu_too_names_the_cause(tmp_path) -> None:
    source = tmp_path / "broken.py"
    source.write_text("def build():\n    raise KeyError('no width table')\n")
    with pytest.raises(ModelSpecError, match=r"cannot build model .*: KeyError: 'no width table'$"):
        netviz.load_model(f"{source}:build", IMAGE)


def test_marks_stay_on_their_side_of_a_block_start() -> None:
    # Swin: the stem's LayerNorm and the first block's LayerNorm are two marks, and the
    # shortcut (the block's input itself) carries none
    graph = netviz.diagram(spec("Swin"), IMAGE, fold=False).graph
    first = graph.clusters[0]
    data = graph.node(first.node_ids[0])
    (into,) = graph.in_edges(data.id)
    assert into.mark is not None and into.mark.type_names == ("LayerNorm",)
    assert into.mark.scope == "norm"
    marks = {graph.node(e.dst).kind: e.mark for e in graph.out_edges(data.id)}
    assert marks[Kind.ADD] is None
    inner = [e.mark for e in graph.out_edges(data.id) if e.mark is not None]
    assert [m.scope for m in inner] == ["blocks.0.norm1"]


def test_the_language_model_summarizes_from_the_command_line() -> None:
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "netviz", "summary", spec("Tagger"), "--input-shape",
         str(families.LENGTH), "--input-dtype", "int64", "--format", "json"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    table = json.loads(done.stdout)
    assert table["mult_adds"] == families.tagger_macs()
    assert table["input_bytes"] == families.LENGTH * 8  # int64 ids
