"""Transformer parts in the notation, on small configurations of real transformers models.

Each model is built as an instance from a small config and drawn through the Python API;
the checks read the figure's node labels and edge marks: GPT-2's ``Conv1D`` projections
draw as linear layers with their width, activations are named by what they compute,
every RMS norm gets the norm mark, attention says its heads, key/value heads and RoPE,
a mixture of experts is one box, and token ids are tokens.
"""

from __future__ import annotations

import warnings
from functools import cache

import pytest

pytest.importorskip("transformers", reason="transformers is not installed (pip install -e '.[test]')")

import netviz  # noqa: E402
from netviz.ir import Graph, Kind  # noqa: E402
from tests.huggingface.small import MODELS, MORE_MOE  # noqa: E402


@pytest.fixture(autouse=True)
def quiet_transformers() -> None:
    import transformers

    transformers.logging.set_verbosity_error()


@cache
def figure(name: str) -> Graph:
    build, (shapes, dtypes) = {**MODELS, **MORE_MOE}[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return netviz.diagram(build(), shapes, input_dtypes=dtypes).graph


def labels(name: str) -> list[str]:
    return [n.label for n in figure(name).nodes]


def marks(name: str) -> set[str]:
    return {e.mark.label for e in figure(name).edges if e.mark is not None}


def test_gpt2_projections_are_linear_layers_with_their_width() -> None:
    """Conv1D (an addmm on a transposed weight) is a Linear: 3 x 64 fused q/k/v (inside the
    attention box), 4 x 64 up, 64 down."""
    assert not any("Conv1D" in label for label in labels("gpt2"))
    assert {"Linear 256D", "Linear 64D"} <= set(labels("gpt2"))  # the MLP (and the LM head)


def test_gpt2_projections_are_linear_layers_in_the_listing() -> None:
    """The pseudocode keeps every op: c_attn is ``Linear 192D`` (3 x 64), no ``Conv1D``."""
    build, (shapes, dtypes) = MODELS["gpt2"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        listing = netviz.pseudocode(build(), shapes, input_dtypes=dtypes)
    assert "Linear 192D" in listing and "Conv1D" not in listing


@pytest.mark.parametrize(("name", "activation", "arithmetic"), [
    ("gpt2", "GELU", ("Pow", "Tanh", "× 0.5")),  # NewGELUActivation: GELU's tanh form written out
    ("clip", "QuickGELU", ("Sigmoid", "× 1.702")),  # x * sigmoid(1.702 x)
    ("llama", "SiLU", ()),
    ("bert", "GELU", ()),
])
def test_activations_are_named_by_what_they_compute(
    name: str, activation: str, arithmetic: tuple[str, ...]
) -> None:
    assert activation in marks(name)
    texts = [*labels(name), *marks(name)]
    assert not any("activation" in text.lower() for text in texts)
    for op in arithmetic:
        assert op not in texts


@pytest.mark.parametrize("name", ["llama", "mixtral", "t5"])
def test_rms_norms_of_any_class_get_the_norm_mark(name: str) -> None:
    """LlamaRMSNorm, MixtralRMSNorm, T5LayerNorm: x rsqrt(mean(x²) + ε) w."""
    assert "RMSNorm" in marks(name)
    assert not any("Norm" in label for label in labels(name))
    assert not any(n.kind is Kind.OTHER and "Norm" in n.type_name for n in figure(name).nodes)


@pytest.mark.parametrize("name", ["llama", "mixtral"])
def test_attention_shows_heads_kv_heads_and_rope(name: str) -> None:
    """4 query heads share 2 key/value heads; the rotation's arithmetic (×, Neg, Concat, +)
    is gone, said by RoPE instead; its cos/sin table is named."""
    assert labels(name).count("GQA 4h/2kv 64D RoPE") == 1  # the folded layer: one box
    assert "RoPE cos/sin" in labels(name)
    for arithmetic in ("Neg", "Concat", "×"):
        assert arithmetic not in labels("mixtral")
    assert "?C" not in labels(name)


@pytest.mark.parametrize("name", ["gpt2", "bert", "t5", "clip", "vit", "whisper"])
def test_attention_with_as_many_kv_heads_says_heads_and_width(name: str) -> None:
    attention = [n.label for n in figure(name).nodes if n.kind is Kind.ATTENTION]
    assert attention and all(label == "Attention 4h 64D" for label in attention), attention


@pytest.mark.parametrize(("cls", "extra", "attention"), [
    ("GptOssForCausalLM", dict(num_local_experts=4, num_experts_per_tok=2), "GQA 4h/2kv 48D RoPE"),
    ("LlamaForCausalLM", dict(num_key_value_heads=1), "MQA 4h/1kv 48D RoPE"),
])
def test_heads_come_from_the_projections_when_heads_times_head_dim_is_not_the_width(
    cls: str, extra: dict[str, int], attention: str
) -> None:
    """4 heads of 16 in a 48-wide model (GPT-OSS at its default: 64 heads of 64 in 2880):
    the query projection is 64 wide, keys and values 2 x 16 (or 1 x 16); the heads are
    the merged heads' width (what the output projection reads) / head_dim, not 48 / 16."""
    from tests.huggingface.configs import TOKENS

    values = dict(hidden_size=48, intermediate_size=96, num_hidden_layers=1,
                  num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                  vocab_size=256, **TOKENS)
    values.update(extra)
    spec = f"hf:{cls}(" + ", ".join(f"{k}={v!r}" for k, v in values.items()) + ")"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = netviz.diagram(spec).graph
    assert [n.label for n in graph.nodes if n.kind is Kind.ATTENTION] == [attention]


def test_a_mixture_of_experts_is_one_box() -> None:
    """Mixtral's router and its 4 experts (each token through 2, of hidden width 128) are one
    box, none of the dispatch code (sort, histc, cumsum, grouped products) drawn."""
    assert labels("mixtral").count("MoE 4 experts, top-2, 128D") == 1
    for code in ("Sort", "Histc", "Cumsum", "_grouped_mm", "Floor_divide", "MixtralTopKRouter"):
        assert code not in labels("mixtral")
    box = next(n for n in figure("mixtral").nodes if n.label.startswith("MoE"))
    assert box.macs == 16 * 64 * 4 + 16 * 2 * 3 * 64 * 128  # one layer: router + active experts


@pytest.mark.parametrize(("name", "inputs"), [
    ("bert", ["Input 16 tokens"]), ("gpt2", ["Input 16 tokens"]), ("llama", ["Input 16 tokens"]),
    ("clip", ["Input 16 tokens", "Input"]),  # ids, pixels
    ("whisper", ["Input", "Input", "Input 16 tokens"]),  # features, mask, decoder ids
])
def test_token_ids_are_tokens(name: str, inputs: list[str]) -> None:
    """The 16 token ids fed to an embedding are tokens, not channels (Whisper's 16 mel
    channels stay channels)."""
    assert [n.label for n in figure(name).nodes if n.kind is Kind.INPUT] == inputs
    assert "16C" not in [n.label for n in figure(name).nodes if n.kind is Kind.DATA
                         and name != "whisper"]


@pytest.mark.parametrize(("name", "attention", "moe"), [
    ("deepseek_v3", "MLA 4h 64D RoPE", "MoE 8 experts, top-2, 32D"),
    ("qwen2_moe", "GQA 4h/2kv 64D RoPE", "MoE 8 experts, top-2, 96D"),
])
def test_mixtures_with_shared_experts_and_latent_attention(
    name: str, attention: str, moe: str
) -> None:
    """Latent attention's low-rank projections are no key/value heads (not MQA): it is
    ``MLA``, told by a projection that reads another's narrower output (a rank below both
    widths); its rotation is written with a subtraction. A shared expert stays inside the
    MoE box. Grouped-query attention, whose narrow projections feed the core, is no MLA."""
    boxes = [n.label for n in figure(name).nodes if n.kind is Kind.ATTENTION]
    assert boxes and set(boxes) == {attention}
    assert labels(name).count(moe) == 1


def test_experts_held_by_a_layer_of_their_own_say_their_count_top_k_and_width() -> None:
    """GPT-OSS keeps its 4 experts as one 3-D tensor per projection in one layer (its ops
    unseen): the box still says 4 experts, top-2, of width 96, on the CPU (grouped
    products) and on the meta device (batched products on picked weights) alike, with the
    router inside it."""
    from tests.huggingface.configs import TOKENS

    assert labels("gpt_oss").count("MoE 4 experts, top-2, 96D") == 1
    assert not any("Router" in label or "Experts" in label for label in labels("gpt_oss"))
    values = dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                  num_local_experts=4, num_experts_per_tok=2, vocab_size=256, **TOKENS)
    spec = "hf:GptOssForCausalLM(" + ", ".join(f"{k}={v!r}" for k, v in values.items()) + ")"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        texts = [n.label for n in netviz.diagram(spec).graph.nodes]
    assert texts.count("MoE 4 experts, top-2, 96D") == 1


def test_on_the_meta_device_too() -> None:
    """An ``hf:`` spec runs on the meta device, where transformers sends tokens through their
    experts as batched products on weights picked per token copy (no grouped product): the
    same notation."""
    from tests.huggingface.configs import spec

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = netviz.diagram(spec("MixtralForCausalLM")).graph  # width 32, 4 experts of 64
    texts = [n.label for n in graph.nodes]
    assert "MoE 4 experts, top-2, 64D" in texts and "GQA 4h/2kv 32D RoPE" in texts
    assert "RMSNorm" in {e.mark.label for e in graph.edges if e.mark is not None}
    assert not {"MatMul", "Repeat_interleave", "MixtralTopKRouter"} & set(texts)


def test_a_tensor_other_than_a_box_s_own_output_keeps_its_own_width() -> None:
    """T5's first block computes the relative position bias (heads x tokens x tokens)
    inside its attention box and the later blocks reuse it: the data node it enters
    them through is the bias's (4 heads, ``4C 16x16``), not the box's width (64D)."""
    graph = figure("t5")
    data = [n for n in graph.nodes if n.kind is Kind.DATA]
    model = {**MODELS}["t5"][0]()
    heads, tokens = model.config.num_heads, 16
    bias = [n for n in data if n.shape == (heads, tokens, tokens)]
    assert len(bias) == 2  # one per stack, entering its repeated block
    assert {n.label for n in bias} == {f"{heads}C"}
    from_boxes = [n for n in data if any(graph.node(e.src).kind is Kind.ATTENTION
                                         for e in graph.in_edges(n.id))]
    assert from_boxes == bias, [(n.id, n.label) for n in from_boxes]
