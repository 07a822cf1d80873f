"""Small configurations of eight transformers architectures, built as instances.

Two layers, widths of 64, four heads: every architecture traces in well under a second.
Each builder takes keyword arguments for the configuration (``attn_implementation="eager"``
for the reference count) and returns the model in eval mode. ``INPUTS`` gives the
positional inputs each forward takes (shapes without batch, dtypes): token ids, T5's
``(input_ids, attention_mask, decoder_input_ids)``, Whisper's ``(input_features,
attention_mask, decoder_input_ids)``, CLIP's ``(input_ids, pixel_values)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

TOKENS = 16
IDS = {"pad_token_id": 0, "bos_token_id": 1, "eos_token_id": 2}
"""Special tokens inside the small vocabulary (the defaults lie outside it)."""


def llama(**kw: Any) -> torch.nn.Module:
    from transformers import LlamaConfig, LlamaForCausalLM

    return LlamaForCausalLM(LlamaConfig(
        hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, vocab_size=256, **IDS, **kw)).eval()


def mixtral(**kw: Any) -> torch.nn.Module:
    from transformers import MixtralConfig, MixtralForCausalLM

    return MixtralForCausalLM(MixtralConfig(
        hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, vocab_size=256, num_local_experts=4, num_experts_per_tok=2,
        **IDS, **kw)).eval()


def gpt2(**kw: Any) -> torch.nn.Module:
    from transformers import GPT2Config, GPT2LMHeadModel

    return GPT2LMHeadModel(GPT2Config(n_embd=64, n_layer=2, n_head=4, vocab_size=256,
                                      n_positions=64, bos_token_id=1, eos_token_id=2,
                                      **kw)).eval()


def bert(**kw: Any) -> torch.nn.Module:
    from transformers import BertConfig, BertModel

    return BertModel(BertConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                                intermediate_size=128, vocab_size=256,
                                max_position_embeddings=64, pad_token_id=0, **kw)).eval()


def vit(**kw: Any) -> torch.nn.Module:
    from transformers import ViTConfig, ViTModel

    return ViTModel(ViTConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                              intermediate_size=128, image_size=32, patch_size=8,
                              **kw)).eval()


def t5(**kw: Any) -> torch.nn.Module:
    from transformers import T5Config, T5ForConditionalGeneration

    return T5ForConditionalGeneration(T5Config(
        d_model=64, d_ff=128, d_kv=16, num_layers=2, num_heads=4, vocab_size=256,
        pad_token_id=0, eos_token_id=1, decoder_start_token_id=0, **kw)).eval()


def whisper(**kw: Any) -> torch.nn.Module:
    from transformers import WhisperConfig, WhisperForConditionalGeneration

    return WhisperForConditionalGeneration(WhisperConfig(
        d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=128, decoder_ffn_dim=128,
        num_mel_bins=16, max_source_positions=32, max_target_positions=64, vocab_size=256,
        decoder_start_token_id=1, suppress_tokens=[], begin_suppress_tokens=[], **IDS,
        **kw)).eval()


def clip(**kw: Any) -> torch.nn.Module:
    from transformers import CLIPConfig, CLIPModel

    return CLIPModel(CLIPConfig(
        text_config=dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, vocab_size=256, max_position_embeddings=32,
                         **IDS),
        vision_config=dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                           num_attention_heads=4, image_size=32, patch_size=8),
        projection_dim=32, **kw)).eval()


Inputs = tuple[list[tuple[int, ...]], list[str]]

IDS_ONLY: Inputs = ([(TOKENS,)], ["int64"])
MODELS: dict[str, tuple[Callable[..., torch.nn.Module], Inputs]] = {
    "bert": (bert, IDS_ONLY),
    "gpt2": (gpt2, IDS_ONLY),
    "llama": (llama, IDS_ONLY),
    "mixtral": (mixtral, IDS_ONLY),
    "t5": (t5, ([(TOKENS,)] * 3, ["int64"] * 3)),
    "whisper": (whisper, ([(16, 64), (16, 64), (TOKENS,)], ["float32", "int64", "int64"])),
    "clip": (clip, ([(TOKENS,), (3, 32, 32)], ["int64", "float32"])),
    "vit": (vit, ([(3, 32, 32)], ["float32"])),
}
"""Name -> (builder, positional inputs: shapes without batch, dtypes)."""

EAGER: dict[str, dict[str, Any]] = {"mixtral": {"experts_implementation": "eager"}}
"""Further settings of the reference build: transformers' eager experts (a loop of
``F.linear`` over the experts a token was routed to, which FlopCounterMode counts)."""


def example_inputs(name: str) -> list[torch.Tensor]:
    """The inputs netviz traces with, batch of one: integer inputs are zeros (as netviz
    makes them), float inputs seeded random values."""
    shapes, dtypes = {**MODELS, **MORE_MOE}[name][1]
    generator = torch.Generator().manual_seed(0)
    return [torch.zeros((1, *s), dtype=torch.int64) if d == "int64"
            else torch.randn((1, *s), generator=generator) for s, d in zip(shapes, dtypes)]


def deepseek_v3(**kw: Any) -> torch.nn.Module:
    """Latent attention (low-rank q and kv projections, a rotated slice) and a mixture of
    8 experts with a shared one, routed by groups, after one dense layer."""
    from transformers import DeepseekV3Config, DeepseekV3ForCausalLM

    return DeepseekV3ForCausalLM(DeepseekV3Config(
        hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=4, vocab_size=256, moe_intermediate_size=32, n_routed_experts=8,
        num_experts_per_tok=2, n_shared_experts=1, first_k_dense_replace=1, kv_lora_rank=16,
        q_lora_rank=32, qk_rope_head_dim=8, qk_nope_head_dim=8, v_head_dim=16, n_group=2,
        topk_group=1, **IDS, **kw)).eval()


def qwen2_moe(**kw: Any) -> torch.nn.Module:
    """8 experts of width 96, top-2, beside a gated shared expert."""
    from transformers import Qwen2MoeConfig, Qwen2MoeForCausalLM

    return Qwen2MoeForCausalLM(Qwen2MoeConfig(
        hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, vocab_size=256, moe_intermediate_size=96, num_experts=8,
        num_experts_per_tok=2, shared_expert_intermediate_size=128, **IDS, **kw)).eval()


def gpt_oss(**kw: Any) -> torch.nn.Module:
    """4 experts of width 96, top-2, held as one 3-D tensor per projection in one layer of
    its own (with biases); attention with sinks."""
    from transformers import GptOssConfig, GptOssForCausalLM

    return GptOssForCausalLM(GptOssConfig(
        hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, head_dim=16, num_local_experts=4, num_experts_per_tok=2,
        vocab_size=256, **IDS, **kw)).eval()


MORE_MOE: dict[str, tuple[Callable[..., torch.nn.Module], Inputs]] = {
    "deepseek_v3": (deepseek_v3, IDS_ONLY),
    "qwen2_moe": (qwen2_moe, IDS_ONLY),
    "gpt_oss": (gpt_oss, IDS_ONLY),
}
"""Mixtures of experts with shared experts (checked like the eight)."""
EAGER.update({name: {"experts_implementation": "eager"} for name in MORE_MOE})
