"""Sequence models on integer token ids: a transformer language model and an LSTM tagger.

Both read ``(B, N)`` int64 token ids (one sequence of ``N`` ids per sample):

- [`TransformerLM`][netviz_models.sequence.TransformerLM]: ``nn.Embedding`` plus a
  learned position embedding, a stack of pre-norm ``nn.TransformerEncoderLayer``
  (``batch_first=True``) in an ``nn.TransformerEncoder`` under a causal mask, a
  final LayerNorm, and the LM head ``Linear`` giving next-token logits.
- [`LSTMTagger`][netviz_models.sequence.LSTMTagger]: ``nn.Embedding → nn.LSTM``
  (bidirectional, ``batch_first=True``) ``→ Linear``, as in the PyTorch tagging
  tutorial; its forward returns a ``dict`` (``tags``, ``hidden``) and ignores the
  LSTM's final ``(h, c)``.

Examples:
    >>> import torch
    >>> from netviz_models.sequence import lstm_tagger_mini, transformer_lm_mini
    >>> tokens = torch.zeros(2, 16, dtype=torch.int64)
    >>> transformer_lm_mini().eval()(tokens).shape
    torch.Size([2, 16, 100])
    >>> out = lstm_tagger_mini()(tokens)
    >>> " ".join(out), out["tags"].shape
    ('tags hidden', torch.Size([2, 16, 5]))
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from netviz.registry import register_model

__all__ = [
    "INPUT_DTYPE",
    "LSTMTagger",
    "TransformerLM",
    "lstm_tagger_mini",
    "transformer_lm_mini",
]

INPUT_DTYPE = "int64"
"""The dtype of the models' inputs: token ids."""
SEQUENCE_SHAPE = (16,)
"""Registered input shape: 16 token ids per sample."""


class TransformerLM(nn.Module):
    """A decoder-only (causal) language model built from ``nn.TransformerEncoderLayer``.

    Token ids are embedded and the learned position embedding is added; the
    ``nn.TransformerEncoder`` runs its pre-norm layers under a causal mask (each
    ``x + attention(LN(x))``, then ``x + MLP(LN(x))``) and a final LayerNorm; the
    LM head gives next-token logits. The diagram draws torch's encoder as one box
    with its heads, width, MLP width and layer count, like any torch layer.
    [`transformer_lm_mini`][netviz_models.sequence.transformer_lm_mini] (16 int64
    token ids, two layers of width 32):

    ```netviz
    model: transformer_lm_mini
    legend: true
    ```

    Its layers and parameters, one row per group of the diagram:

    ```netviz
    model: transformer_lm_mini
    show: summary
    ```

    Args:
        vocab_size: Number of token ids.
        d_model: Token width; divisible by ``nhead``.
        nhead: Attention heads.
        num_layers: Encoder layers.
        dim_feedforward: Hidden width of each layer's MLP.
        max_len: Longest sequence the position embedding covers.
        dropout: Dropout probability inside the layers.

    Attributes:
        embedding: Token embedding, ``vocab_size x d_model``.
        pos_embedding: Learned position embedding, ``(1, max_len, d_model)``.
        encoder: ``nn.TransformerEncoder`` of pre-norm layers and a final LayerNorm.
        lm_head: ``Linear d_model → vocab_size``.

    Examples:
        >>> import torch
        >>> model = TransformerLM(100, 32, 4, 2, 64, 64).eval()
        >>> model(torch.zeros(2, 16, dtype=torch.int64)).shape
        torch.Size([2, 16, 100])
        >>> sum(p.numel() for p in model.parameters())
        25700
    """

    def __init__(
        self,
        vocab_size: int,
        d_model: int,
        nhead: int,
        num_layers: int,
        dim_feedforward: int,
        max_len: int,
        *,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.pos_embedding = nn.Parameter(torch.zeros(1, max_len, d_model))
        nn.init.normal_(self.pos_embedding, std=0.02)
        layer = nn.TransformerEncoderLayer(
            d_model, nhead, dim_feedforward, dropout, batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(
            layer, num_layers, norm=nn.LayerNorm(d_model), enable_nested_tensor=False
        )
        self.lm_head = nn.Linear(d_model, vocab_size)

    def forward(self, tokens: Tensor) -> Tensor:
        """Map ``(B, N)`` token ids to ``(B, N, vocab_size)`` next-token logits."""
        n = tokens.shape[1]
        x = self.embedding(tokens) + self.pos_embedding[:, :n]
        mask = nn.Transformer.generate_square_subsequent_mask(n, device=tokens.device)
        x = self.encoder(x, mask=mask, is_causal=True)
        return self.lm_head(x)


class LSTMTagger(nn.Module):
    """Per-token tags from a bidirectional LSTM over embedded tokens.

    ``nn.Embedding → nn.LSTM`` (both directions, their states concatenated) ``→
    Linear`` to the tags, as in the PyTorch tagging tutorial. It returns a
    ``dict``, so the diagram has one output per key (``tags``, ``hidden``).
    [`lstm_tagger_mini`][netviz_models.sequence.lstm_tagger_mini] (16 int64 token
    ids, 24 hidden units per direction):

    ```netviz
    model: lstm_tagger_mini
    legend: true
    ```

    Its layers and parameters, one row per group of the diagram:

    ```netviz
    model: lstm_tagger_mini
    show: summary
    ```

    Args:
        vocab_size: Number of token ids.
        embedding_dim: Width of a token embedding.
        hidden_dim: LSTM hidden width per direction.
        num_tags: Number of tags.
        num_layers: Stacked LSTM layers.

    Attributes:
        word_embeddings: Token embedding.
        lstm: Bidirectional ``nn.LSTM`` (``batch_first=True``).
        hidden2tag: ``Linear 2·hidden_dim → num_tags``.

    Examples:
        >>> import torch
        >>> model = LSTMTagger(100, 32, 24, 5)
        >>> out = model(torch.zeros(2, 16, dtype=torch.int64))
        >>> out["tags"].shape, out["hidden"].shape
        (torch.Size([2, 16, 5]), torch.Size([2, 16, 48]))
        >>> sum(p.numel() for p in model.parameters())
        14581
    """

    def __init__(
        self, vocab_size: int, embedding_dim: int, hidden_dim: int, num_tags: int,
        *, num_layers: int = 1,
    ) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(
            embedding_dim, hidden_dim, num_layers=num_layers, batch_first=True, bidirectional=True
        )
        self.hidden2tag = nn.Linear(2 * hidden_dim, num_tags)

    def forward(self, tokens: Tensor) -> dict[str, Tensor]:
        """Map ``(B, N)`` token ids to ``tags`` ``(B, N, num_tags)`` and ``hidden`` states."""
        embedded = self.word_embeddings(tokens)
        hidden, _ = self.lstm(embedded)
        return {"tags": self.hidden2tag(hidden), "hidden": hidden}


@register_model(
    "transformer_lm_mini",
    input_shape=SEQUENCE_SHAPE,
    input_dtype=INPUT_DTYPE,
    description="Transformer LM: nn.Embedding, 2 nn.TransformerEncoderLayer (16 int64 tokens)",
)
def transformer_lm_mini(*, vocab_size: int = 100) -> TransformerLM:
    """A compact LM: vocabulary 100, width 32, 4 heads, 2 layers, MLP 64, up to 64 tokens.

    25,700 parameters.

    Examples:
        >>> sum(p.numel() for p in transformer_lm_mini().parameters())
        25700
    """
    return TransformerLM(vocab_size, 32, 4, 2, 64, 64)


@register_model(
    "lstm_tagger_mini",
    input_shape=SEQUENCE_SHAPE,
    input_dtype=INPUT_DTYPE,
    description="LSTM tagger: nn.Embedding, bidirectional nn.LSTM, dict output (16 int64 tokens)",
)
def lstm_tagger_mini(*, vocab_size: int = 100, num_tags: int = 5) -> LSTMTagger:
    """A compact tagger: vocabulary 100, embeddings 32 wide, LSTM 24 per direction, 5 tags.

    14,581 parameters.

    Examples:
        >>> sum(p.numel() for p in lstm_tagger_mini().parameters())
        14581
    """
    return LSTMTagger(vocab_size, 32, 24, num_tags)
