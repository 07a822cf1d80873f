"""Small configurations of eight transformers architectures (two layers, tiny widths).

Each is written as plain values, so the same configuration is an ``hf:CLASS(...)`` spec,
a ``config.json`` and a configuration object.
"""

from __future__ import annotations

from typing import Any

TOKENS = {"pad_token_id": 0, "bos_token_id": 1, "eos_token_id": 2}

SMALL: dict[str, dict[str, Any]] = {
    "BertForMaskedLM": dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                            intermediate_size=37, vocab_size=99, max_position_embeddings=64,
                            pad_token_id=0),
    "GPT2LMHeadModel": dict(n_embd=32, n_layer=2, n_head=2, vocab_size=99, n_positions=64,
                            bos_token_id=1, eos_token_id=2),
    "LlamaForCausalLM": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                             num_attention_heads=4, num_key_value_heads=2, vocab_size=99,
                             max_position_embeddings=64, **TOKENS),
    "MixtralForCausalLM": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                               num_attention_heads=4, num_key_value_heads=2,
                               num_local_experts=4, num_experts_per_tok=2, vocab_size=99,
                               max_position_embeddings=64, **TOKENS),
    "T5ForConditionalGeneration": dict(d_model=32, d_ff=64, num_layers=2, num_heads=2, d_kv=16,
                                       vocab_size=99, pad_token_id=0, eos_token_id=1,
                                       decoder_start_token_id=0),
    "WhisperForConditionalGeneration": dict(
        d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, vocab_size=99,
        num_mel_bins=16, max_source_positions=32, max_target_positions=32,
        decoder_start_token_id=3, begin_suppress_tokens=None, suppress_tokens=None, **TOKENS),
    "CLIPModel": dict(
        text_config=dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                         num_attention_heads=2, vocab_size=99, max_position_embeddings=32,
                         **TOKENS),
        vision_config=dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                           num_attention_heads=2, image_size=32, patch_size=8),
        projection_dim=16),
    "ViTForImageClassification": dict(hidden_size=32, num_hidden_layers=2,
                                      num_attention_heads=2, intermediate_size=37,
                                      image_size=32, patch_size=8, num_labels=10),
}
"""Model class -> configuration values."""

INPUTS: dict[str, dict[str, tuple[int, ...]]] = {
    "BertForMaskedLM": {"input_ids": (64,)},
    "GPT2LMHeadModel": {"input_ids": (64,)},
    "LlamaForCausalLM": {"input_ids": (64,)},
    "MixtralForCausalLM": {"input_ids": (64,)},
    "T5ForConditionalGeneration": {"input_ids": (128,), "decoder_input_ids": (128,)},
    "WhisperForConditionalGeneration": {"input_features": (16, 64),
                                        "decoder_input_ids": (32,)},
    "CLIPModel": {"input_ids": (32,), "pixel_values": (3, 32, 32)},
    "ViTForImageClassification": {"pixel_values": (3, 32, 32)},
}
"""The inputs netviz makes for each, written out from the configurations above: token ids
as long as the positions allow (at most 128), images at image_size, Whisper's features
num_mel_bins x 2 * max_source_positions, decoder ids for encoder-decoders."""


def spec(name: str) -> str:
    """The ``hf:`` spec of a small configuration."""
    values = ", ".join(f"{key}={value!r}" for key, value in SMALL[name].items())
    return f"hf:{name}({values})"


def config(name: str) -> Any:
    """The configuration object."""
    import transformers

    cls = getattr(transformers, name)
    return cls.config_class(**SMALL[name])


def reference_params(name: str) -> int:
    """``sum(p.numel() for p in model.parameters())`` of the model built normally (CPU)."""
    import transformers

    model = getattr(transformers, name)(config(name))
    return sum(p.numel() for p in model.parameters())
