"""Small transformers models for the notation page: a GPT-2 and a Mixtral.

Used by the "Transformer parts" section of the notation page (``model:
docs/examples/transformer_parts.py:gpt2``). No weights are downloaded: the models are
built from small configs. Draw them yourself with::

    netviz render docs/examples/transformer_parts.py:mixtral --input-shape 16 \\
        --input-dtype int64 -o mixtral.svg
"""

from __future__ import annotations

from transformers import GPT2Config, GPT2LMHeadModel, MixtralConfig, MixtralForCausalLM


def gpt2() -> GPT2LMHeadModel:
    """A GPT-2 of 2 layers of width 64: Conv1D projections, GELU written out."""
    return GPT2LMHeadModel(GPT2Config(n_embd=64, n_layer=2, n_head=4, vocab_size=1000,
                                      n_positions=128, bos_token_id=1, eos_token_id=2))


def mixtral() -> MixtralForCausalLM:
    """A Mixtral of 2 layers of width 64: 4 query heads sharing 2 key/value heads, rotary
    embeddings, and 8 experts of width 224, each token through 2 of them."""
    return MixtralForCausalLM(MixtralConfig(
        hidden_size=64, intermediate_size=224, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, num_local_experts=8, num_experts_per_tok=2, vocab_size=1000,
        max_position_embeddings=128, pad_token_id=0, bos_token_id=1, eos_token_id=2))
