"""Eight transformers architectures, small configurations: the numbers and the inputs.

Every count is checked against the module's own: ``sum(p.numel() for p in
model.parameters())`` of the same configuration built normally on the CPU (a shared
tensor, such as tied input and output embeddings, counts once).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import torch

import netviz
from netviz.inputs import Fill
from netviz.ir import Graph, Kind
from netviz.registry import load_model
from tests.huggingface.configs import INPUTS, SMALL, config, reference_params, spec

NAMES = sorted(SMALL)


def traced(model: object, **options: object) -> Graph:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return netviz.trace(model, **options)  # type: ignore[arg-type]


def params(graph: Graph) -> int:
    return sum(node.params for node in graph.nodes)


@pytest.mark.parametrize("name", NAMES)
def test_params_are_the_modules_own_count(name: str) -> None:
    assert params(traced(spec(name))) == reference_params(name)


@pytest.mark.parametrize("name", NAMES)
def test_the_summary_counts_the_same(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = netviz.summary(spec(name), "json")
    assert json.loads(table)["total_params"] == reference_params(name)


@pytest.mark.parametrize("name", NAMES)
def test_inputs_are_made_from_the_model(name: str) -> None:
    """No input flags: the inputs the forward expects, by name, with their shapes."""
    graph = traced(spec(name))
    inputs = {n.id: n.shape for n in graph.nodes if n.kind is Kind.INPUT}
    assert inputs == INPUTS[name]
    for node in graph.nodes:
        if node.kind is Kind.INPUT:
            assert node.attr("name") == node.id


def write_checkpoint(name: str, folder: Path) -> Path:
    """A checkpoint folder with only its config.json (no weights: netviz reads none)."""
    settings = config(name)
    settings.architectures = [name]
    settings.save_pretrained(folder)
    return folder


@pytest.mark.parametrize("name", ["GPT2LMHeadModel", "T5ForConditionalGeneration", "CLIPModel",
                                  "MixtralForCausalLM"])
def test_every_spec_form_gives_the_same_numbers(name: str, tmp_path: Path) -> None:
    """hf:CLASS(...), the checkpoint folder, its config.json and the instance (built on the
    CPU, and on meta as a user would) trace to the same parameter count and inputs."""
    folder = write_checkpoint(name, tmp_path / "checkpoint")
    import transformers

    cls = getattr(transformers, name)
    with torch.device("meta"):
        on_meta = cls(config(name))
    forms = [spec(name), str(folder), str(folder / "config.json"), cls(config(name)), on_meta]
    inputs = INPUTS[name]
    expected = reference_params(name)
    for form in forms:
        graph = traced(form, inputs=inputs) if isinstance(form, torch.nn.Module) else traced(form)
        assert params(graph) == expected, form
        assert {n.id: n.shape for n in graph.nodes if n.kind is Kind.INPUT} == inputs, form


def essentials(graph: Graph) -> tuple[object, ...]:
    """Everything of a graph but whether a layout op (``contiguous()``) returned its input
    itself: meta kernels may lay a result out otherwise than the CPU's (strides), and such
    ops are hidden from the figure either way."""
    nodes = tuple(
        (n.id, n.kind, n.type_name, n.scope, n.shape, n.params, n.macs, n.feature_axis,
         tuple(a for a in n.attrs if a[0] != "passthrough" or n.kind is not Kind.RESHAPE))
        for n in graph.nodes)
    return nodes, graph.edges, graph.meta, graph.modules


@pytest.mark.parametrize("name", NAMES)
def test_a_meta_trace_equals_a_cpu_trace(name: str) -> None:
    """The forward on meta (no weights) gives the graph a real CPU forward gives, and the
    same figure."""
    from netviz.renderers import render_dot
    from netviz.transforms import NotationOptions, to_notation

    from netviz.tracing.forwards import hooks_forward

    on_meta = load_model(spec(name))
    on_cpu = load_model(spec(name), device="cpu")
    assert all(p.is_meta for p in on_meta.module.parameters())
    assert not any(p.is_meta for p in on_cpu.module.parameters())
    graphs = []
    for loaded, meta in ((on_meta, True), (on_cpu, False)):
        graph, ran_on_meta = hooks_forward(
            loaded.module, loaded.input_shapes, name=name, reason="test",
            input_dtypes=loaded.input_dtypes, input_names=loaded.input_names)
        assert ran_on_meta == meta  # the meta model really ran on meta
        graphs.append(graph)
    assert essentials(graphs[0]) == essentials(graphs[1])
    drawn = [render_dot(to_notation(g, NotationOptions())) for g in graphs]
    assert drawn[0] == drawn[1]


def test_a_meta_forward_warns_that_no_weights_were_allocated() -> None:
    with pytest.warns(netviz.errors.TraceFallbackWarning, match="on the meta device"):
        netviz.trace(spec("LlamaForCausalLM"))


def test_tied_weights_count_once_in_every_path() -> None:
    """GPT-2's output layer is its token embedding: built on meta, copied to the CPU for a
    real forward or a summary, it stays one tensor."""
    from netviz.summaries.collect import materialize
    from netviz.tracing.device import empty_copy

    loaded = load_model(spec("GPT2LMHeadModel"))
    module = loaded.module
    assert module.lm_head.weight is module.transformer.wte.weight
    for copy in (empty_copy(module, "cpu"), materialize(module)):
        assert copy.lm_head.weight is copy.transformer.wte.weight
        assert sum(p.numel() for p in copy.parameters()) == reference_params("GPT2LMHeadModel")


def test_keyword_inputs_replace_the_models_own() -> None:
    graph = traced(spec("T5ForConditionalGeneration"),
                   inputs={"input_ids": (16,), "decoder_input_ids": "8:int64"})
    assert {n.id: n.shape for n in graph.nodes if n.kind is Kind.INPUT} == {
        "input_ids": (16,), "decoder_input_ids": (8,)}
    graph = traced(spec("T5ForConditionalGeneration"), inputs={"decoder_input_ids": (4,)})
    assert {n.id: n.shape for n in graph.nodes if n.kind is Kind.INPUT} == {
        "input_ids": (128,), "decoder_input_ids": (4,)}


def test_input_nodes_are_drawn_with_their_name_and_shape() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mermaid = netviz.diagram(spec("CLIPModel")).mermaid
    assert "input_ids 32" in mermaid and "pixel_values 3x32x32" in mermaid


LLAVA = dict(
    text_config={"model_type": "llama", "hidden_size": 32, "intermediate_size": 64,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "vocab_size": 99, "max_position_embeddings": 128},
    vision_config={"model_type": "clip_vision_model", "hidden_size": 32,
                   "intermediate_size": 37, "num_hidden_layers": 2, "num_attention_heads": 2,
                   "image_size": 32, "patch_size": 8, "projection_dim": 16},
    image_token_index=98, vision_feature_layer=-1, projector_hidden_act="gelu")


def test_a_multimodal_model_gets_its_image_tokens() -> None:
    """LLaVA puts the image's features where the ids hold its image token: netviz leads the
    ids with as many as the features (32 / 8 = 4 x 4 patches = 16), so the vision tower runs
    and every parameter is drawn."""
    import transformers

    values = ", ".join(f"{key}={value!r}" for key, value in LLAVA.items())
    loaded = load_model(f"hf:LlavaForConditionalGeneration({values})")
    assert loaded.input_names == ("input_ids", "pixel_values")
    assert loaded.input_shapes == ((128,), (3, 32, 32))
    assert loaded.input_fills == (Fill(((98, 16),)), None)
    graph = traced(f"hf:LlavaForConditionalGeneration({values})")
    model = transformers.LlavaForConditionalGeneration(transformers.LlavaConfig(**LLAVA))
    assert params(graph) == sum(p.numel() for p in model.parameters())
    assert any(n.scope.startswith("model.vision_tower") for n in graph.nodes)


QWEN2_VL = dict(
    text_config={"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 160,
                 "max_position_embeddings": 2048,
                 "rope_parameters": {"rope_type": "default", "mrope_section": [2, 1, 1],
                                     "rope_theta": 10000.0}},
    vision_config={"depth": 2, "embed_dim": 32, "hidden_size": 32, "num_heads": 2,
                   "mlp_ratio": 2, "patch_size": 16, "spatial_merge_size": 2,
                   "temporal_patch_size": 2, "in_channels": 3},
    image_token_id=151, video_token_id=152, vision_start_token_id=150)


def test_a_vision_encoder_with_a_patch_grid_gets_its_patches_and_tokens() -> None:
    """Qwen2-VL's vision encoder takes its image as patch rows and their grid: 224 / 16 =
    14 x 14 patches of 3 x 2 x 16 x 16 values, merged 2 x 2 into 49 image tokens, whose
    multimodal token types (1: image) the model needs too; then the vision tower runs and
    every parameter is drawn."""
    import transformers

    values = ", ".join(f"{key}={value!r}" for key, value in QWEN2_VL.items())
    loaded = load_model(f"hf:Qwen2VLModel({values})")
    assert loaded.input_names == ("input_ids", "pixel_values", "image_grid_thw",
                                  "mm_token_type_ids")
    assert loaded.input_shapes == ((49 + 128,), (196, 3 * 2 * 16 * 16), (1, 3), (49 + 128,))
    assert loaded.input_fills == (Fill(((151, 49),)), Fill(batched=False),
                                  Fill(((1, 1), (14, 1), (14, 1)), batched=False),
                                  Fill(((1, 49),)))
    graph = traced(f"hf:Qwen2VLModel({values})")
    model = transformers.Qwen2VLModel(transformers.Qwen2VLConfig(**QWEN2_VL))
    assert params(graph) == sum(p.numel() for p in model.parameters())
    assert any(n.scope.startswith("visual") for n in graph.nodes)
