"""Transformers' encoder and decoder stacks fold to one page (issue 19 item 4).

Small configs of ``transformers`` models, built in Python (no download, no weights
worth the name) and passed as instances; encoder-decoders and CLIP behind a small
wrapper naming their keyword inputs. Every stack's repeated layers are one ``x N``
cluster; no title claims a fold of one block (``x (N - 1) = 1``); an embedding sum is
no residual block (GPT-2's model was one ``Projection``, BERT's and Gemma's
embeddings one too); an encoder-decoder shows both stacks and the encoder's output
entering the decoder's cross-attention. What the folded figure stands for adds up to
the model's parameters and to the unfolded figure's MACs and ops.
"""

from __future__ import annotations

import warnings

import pytest

transformers = pytest.importorskip("transformers")

import torch  # noqa: E402
from torch import nn  # noqa: E402

import netviz  # noqa: E402
from netviz.ir import Graph, Kind  # noqa: E402
from netviz.ir.accounting import count_macs, count_ops, count_params  # noqa: E402

LAYERS = 12
SMALL = dict(hidden_size=64, num_hidden_layers=LAYERS, num_attention_heads=4,
             intermediate_size=128, vocab_size=1000)
PAGE = 40
"""Nodes a small transformer's figure may have (issue 19)."""


class EncoderDecoder(nn.Module):
    """An encoder-decoder called with its keyword inputs."""

    def __init__(self, model: nn.Module, encoder_input: str = "input_ids") -> None:
        super().__init__()
        self.model, self.encoder_input = model, encoder_input

    def forward(self, x: torch.Tensor, decoder_input_ids: torch.Tensor) -> torch.Tensor:
        kwargs = {self.encoder_input: x, "decoder_input_ids": decoder_input_ids}
        return self.model(**kwargs).last_hidden_state


class TwoTowers(nn.Module):
    """CLIP called with token ids and pixels."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, pixel_values: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, pixel_values=pixel_values).logits_per_image


def _build(name: str) -> tuple[nn.Module, list[tuple[int, ...]], list[str]]:
    t = transformers
    ids = [(16,)], ["int64"]
    if name == "bert":
        return t.BertModel(t.BertConfig(**SMALL)), *ids
    if name == "gpt2":
        return t.GPT2LMHeadModel(t.GPT2Config(n_embd=64, n_layer=LAYERS, n_head=4,
                                               vocab_size=1000, bos_token_id=0,
                                               eos_token_id=0)), *ids
    if name == "llama":
        return t.LlamaModel(t.LlamaConfig(**SMALL, num_key_value_heads=2)), *ids
    if name == "gemma":
        return t.GemmaModel(t.GemmaConfig(**SMALL, num_key_value_heads=2, head_dim=16)), *ids
    if name == "mixtral":
        return t.MixtralModel(t.MixtralConfig(**SMALL, num_key_value_heads=2,
                                              num_local_experts=4, num_experts_per_tok=2)), *ids
    if name == "t5":
        config = t.T5Config(d_model=64, d_kv=16, d_ff=128, num_layers=LAYERS,
                            num_decoder_layers=LAYERS, num_heads=4, vocab_size=1000)
        return EncoderDecoder(t.T5Model(config)), [(16,), (8,)], ["int64", "int64"]
    if name == "whisper":
        config = t.WhisperConfig(d_model=64, encoder_layers=LAYERS, decoder_layers=LAYERS,
                                 encoder_attention_heads=4, decoder_attention_heads=4,
                                 encoder_ffn_dim=128, decoder_ffn_dim=128, num_mel_bins=16,
                                 max_source_positions=32, max_target_positions=16,
                                 vocab_size=1000, pad_token_id=0, bos_token_id=0,
                                 eos_token_id=0, decoder_start_token_id=0)
        return (EncoderDecoder(t.WhisperModel(config), "input_features"), [(16, 64), (8,)],
                ["float32", "int64"])
    if name == "clip":
        text = t.CLIPTextConfig(hidden_size=64, num_hidden_layers=LAYERS, num_attention_heads=4,
                                intermediate_size=128, vocab_size=1000, bos_token_id=0,
                                eos_token_id=1)
        vision = t.CLIPVisionConfig(hidden_size=64, num_hidden_layers=LAYERS,
                                    num_attention_heads=4, intermediate_size=128,
                                    image_size=32, patch_size=8)
        config = t.CLIPConfig(text_config=text.to_dict(), vision_config=vision.to_dict(),
                              projection_dim=32)
        return TwoTowers(t.CLIPModel(config)), [(16,), (3, 32, 32)], ["int64", "float32"]
    if name == "vit":
        return t.ViTModel(t.ViTConfig(**{**SMALL, "image_size": 32, "patch_size": 8})), \
            [(3, 32, 32)], ["float32"]
    raise KeyError(name)


MODELS = ("bert", "gpt2", "llama", "gemma", "mixtral", "t5", "whisper", "clip", "vit")
ON_A_PAGE = ("bert", "gpt2", "llama", "whisper", "vit")
"""Those within ``PAGE`` nodes now; the others draw RoPE, MoE dispatch, RMSNorm and
CLIP's logits as ops, which transformers' notation (issue 19 item 5) boxes."""

_cache: dict[tuple[str, bool], tuple[Graph, nn.Module]] = {}


def drawn(name: str, *, fold: bool = True) -> Graph:
    if (name, fold) not in _cache:
        torch.manual_seed(0)
        model, shapes, dtypes = _build(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graph = netviz.diagram(model.eval(), shapes, input_dtypes=dtypes, fold=fold).graph
        _cache[name, fold] = graph, model
    return _cache[name, fold][0]


def titles(name: str) -> list[str]:
    return [c.title for c in drawn(name).clusters]


@pytest.mark.parametrize("name", MODELS)
def test_every_stack_is_one_cluster_of_its_layers(name: str) -> None:
    graph = drawn(name)
    layers = [c for c in graph.clusters if c.repeat > 1]
    stacks = 2 if name in ("t5", "whisper", "clip") else 1
    assert sum(c.repeat for c in layers) >= stacks * (LAYERS - 1)
    assert not any(t.endswith("x (N - 1) = 1") for t in titles(name)), titles(name)
    assert not any("Projection" in t for t in titles(name)), titles(name)


@pytest.mark.parametrize("name", MODELS)
def test_what_the_figure_stands_for_adds_up(name: str) -> None:
    folded, whole = drawn(name), drawn(name, fold=False)
    model = _cache[name, True][1]
    assert count_params(folded) == count_params(whole)
    # not yet traced: Mixtral's experts (torch._grouped_mm reads their weights), ViT's
    # and CLIP's class tokens and CLIP's logit scale (parameters read outside a layer
    # under the hooks tracer); the unfolded figure misses them alike
    if name not in ("mixtral", "vit", "clip"):
        assert count_params(folded) == sum(p.numel() for p in model.parameters())
    assert count_macs(folded) == count_macs(whole)
    for kind in (Kind.LINEAR, Kind.ATTENTION, Kind.ADD, Kind.CONV):
        assert count_ops(folded, kind) == count_ops(whole, kind), kind


@pytest.mark.parametrize("name", ON_A_PAGE)
def test_small_configs_draw_on_a_page(name: str) -> None:
    assert len(drawn(name).nodes) <= PAGE < len(drawn(name, fold=False).nodes)


def test_bert_is_one_cluster_of_its_layers() -> None:
    assert titles("bert") == [f"Group 0 x N = {LAYERS}"]


def test_gpt2_is_not_one_projection_block() -> None:
    assert titles("gpt2") == [f"Group 0 x N = {LAYERS}"]


def test_gemmas_first_layer_is_not_a_projection() -> None:
    """Its scaled embedding is an Embedding (by what it computes), so the first layer is fed
    like the others and all fold together."""
    assert titles("gemma")[0] == f"Group 0 x N = {LAYERS}"


@pytest.mark.parametrize("name", ["t5", "whisper"])
def test_both_stacks_show_and_the_encoder_output_enters_cross_attention(name: str) -> None:
    graph = drawn(name)
    decoder = [c for c in graph.clusters if ".decoder." in c.id]
    encoder = [c for c in graph.clusters if ".encoder." in c.id]
    assert encoder and decoder
    inside = {i for c in decoder for i in c.node_ids}
    memory = {e.dst for i in inside for e in graph.in_edges(i)
              if e.src not in inside and ".encoder" in graph.node(e.src).scope}
    assert memory, "the encoder's output enters no decoder layer"
    assert all(any(graph.node(e.dst).kind is Kind.ATTENTION for e in graph.out_edges(entry))
               for entry in memory)
