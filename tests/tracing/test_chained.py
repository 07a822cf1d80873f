"""Chains of alike decoder layers recorded under module hooks (netviz.tracing.chained).

transformers' decoder layers read, beside the previous layer's output, the rotary tables
the model computes once: the hooks path records them as one chain
([`Repeat`][netviz.ir.Repeat]) sharing those tables, so the transforms cut it, and the
figure is the one walking every layer gives. DeepSeek-V3's dense first layers are no
part of the chain of its mixture-of-experts layers. An encoder-decoder's decoder layers
share the encoder's output (the last block of the encoder's chain), T5's layers the
position bias its first layer computes.
"""

from __future__ import annotations

from dataclasses import replace
import pytest

from netviz.ir import Graph
from netviz.renderers import render_dot, render_pseudocode
from netviz.tracing.hooks import PLAIN_TRACE
from netviz.transforms import NotationOptions, to_notation
from netviz.transforms import repeats as repeats_module
from netviz.transforms.pipeline import pipeline

LLAMA = ("hf:LlamaModel(hidden_size=64, intermediate_size=96, num_hidden_layers=6, "
         "num_attention_heads=4, num_key_value_heads=2, vocab_size=128)")
DEEPSEEK = ("hf:DeepseekV3Model(num_hidden_layers=7, first_k_dense_replace=1, hidden_size=64, "
            "intermediate_size=128, moe_intermediate_size=32, num_attention_heads=4, "
            "num_key_value_heads=4, vocab_size=100, n_routed_experts=8, q_lora_rank=32, "
            "kv_lora_rank=16, qk_rope_head_dim=8, qk_nope_head_dim=8, v_head_dim=16, n_group=2, "
            "topk_group=1, num_experts_per_tok=2)")
T5 = ("hf:T5Model(d_model=32, d_ff=64, num_layers=6, num_heads=2, d_kv=16, vocab_size=99, "
      "pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)")
BART = ("hf:BartModel(encoder_layers=6, decoder_layers=6, d_model=32, encoder_ffn_dim=64, "
        "decoder_ffn_dim=64, encoder_attention_heads=2, decoder_attention_heads=2, "
        "vocab_size=99)")


def _trace(spec: str) -> Graph:
    from netviz.registry import load_model
    from netviz.tracing.tracer import trace_model

    loaded = load_model(spec, None)
    with pytest.warns(Warning):  # torch.fx cannot trace it: the fallback's warning
        return trace_model(loaded.module, loaded.input_shapes, name=loaded.name,
                           input_dtypes=loaded.input_dtypes, input_names=loaded.input_names,
                           input_fills=loaded.input_fills)


def _same_figures(graph: Graph) -> None:
    """The notation through the chains is the one walking every layer."""
    assert repeats_module.folded_without_walking(graph, pipeline()) is not None
    whole = replace(graph, repeats=())
    for options in (NotationOptions(), NotationOptions(shapes=True),
                    NotationOptions(hide_reshapes=False)):
        fast, plain = to_notation(graph, options), to_notation(whole, options)
        assert fast == plain and repr(fast) == repr(plain), options
        assert render_dot(fast) == render_dot(plain), options
        assert render_pseudocode(fast) == render_pseudocode(plain), options


@pytest.mark.parametrize(("spec", "first", "shared"), [
    (LLAMA, 0, ("rotary_emb",)),
    (DEEPSEEK, 1, ("rotary_emb",)),  # layer 0 is dense: another kind
])
def test_decoder_layers_are_one_chain_sharing_the_rotary_tables(
        monkeypatch: pytest.MonkeyPatch, spec: str, first: int, shared: tuple[str, ...]) -> None:
    graph = _trace(spec)
    [chain] = graph.repeats
    assert chain.blocks == tuple(f"layers.{i}" for i in range(first, 7 if first else 6))
    assert chain.shared == shared
    for k, block in enumerate(chain.blocks):  # where the record says
        nodes = graph.nodes[chain.start + k * chain.size:chain.start + (k + 1) * chain.size]
        assert {n.scope.split(".")[1] for n in nodes} == {block.split(".")[1]}
    _same_figures(graph)
    # the graph is the plain forward's (every layer run)
    monkeypatch.setenv(PLAIN_TRACE, "1")
    plain = _trace(spec)
    assert plain == graph and plain.repeats == ()


@pytest.mark.parametrize(("spec", "chains"), [
    (T5, [("encoder.block", 1, ("encoder.block.0.layer.0.SelfAttention.unsqueeze()",)),
          ("decoder.block", 1, ("decoder.block.0.layer.0.SelfAttention.unsqueeze()",
                                "encoder.dropout#2"))]),
    (BART, [("encoder.layers", 0, ()),
            ("decoder.layers", 0, ("encoder.layers.5.final_layer_norm",))]),
])
def test_encoder_decoder_chains_share_what_every_layer_reads(
        spec: str, chains: list[tuple[str, int, tuple[str, ...]]]) -> None:
    graph = _trace(spec)
    assert [(c.blocks, c.shared) for c in graph.repeats] == [
        (tuple(f"{holder}.{i}" for i in range(first, 6)), shared)
        for holder, first, shared in chains]
    _same_figures(graph)
