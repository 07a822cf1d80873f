"""Two small decoder-only transformers built from Hugging Face ``transformers`` configs.

Used by the "Comparing two models" page of the docs (``model:
docs/examples/llama_mistral.py:llama``, ``diff: docs/examples/llama_mistral.py:mistral``):
the same sizes, but Mistral's attention shares each key/value head between two query
heads (grouped-query attention) and its MLP is wider. No weights are downloaded: the
models are built from their configs. Compare them yourself with::

    netviz diff docs/examples/llama_mistral.py:llama docs/examples/llama_mistral.py:mistral \\
        --input-shape 16 --input-dtype int64
"""

from __future__ import annotations

from transformers import LlamaConfig, LlamaForCausalLM, MistralConfig, MistralForCausalLM

SIZES = {"vocab_size": 1000, "hidden_size": 64, "num_hidden_layers": 4,
         "num_attention_heads": 4, "max_position_embeddings": 128}
"""What both models share: 4 layers of width 64 with 4 attention heads, 1000 tokens."""


def llama() -> LlamaForCausalLM:
    """A Llama: one key/value head per query head, an MLP of width 172."""
    return LlamaForCausalLM(LlamaConfig(**SIZES, num_key_value_heads=4, intermediate_size=172))


def mistral() -> MistralForCausalLM:
    """A Mistral: two query heads per key/value head, an MLP of width 224."""
    return MistralForCausalLM(MistralConfig(**SIZES, num_key_value_heads=2, intermediate_size=224,
                                            sliding_window=32))
