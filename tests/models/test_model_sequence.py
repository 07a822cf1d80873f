"""Sequence models: int64 token inputs, causal LM, LSTM tagger with a dict output."""

from __future__ import annotations

import torch
from torch import nn

from netviz_models.sequence import INPUT_DTYPE, LSTMTagger, lstm_tagger_mini, transformer_lm_mini


def test_language_model_is_causal() -> None:
    model = transformer_lm_mini().eval()
    tokens = torch.randint(0, 100, (1, 16))
    changed = tokens.clone()
    changed[0, 10] = (tokens[0, 10] + 1) % 100
    with torch.no_grad():
        a, b = model(tokens), model(changed)
    assert a.shape == (1, 16, 100)
    torch.testing.assert_close(a[:, :10], b[:, :10])  # earlier positions do not see token 10
    assert not torch.allclose(a[:, 10:], b[:, 10:])


def test_language_model_layers() -> None:
    model = transformer_lm_mini()
    layers = model.encoder.layers
    assert len(layers) == 2 and all(isinstance(l, nn.TransformerEncoderLayer) for l in layers)
    assert layers[0].norm_first and layers[0].self_attn.batch_first
    assert isinstance(model.encoder.norm, nn.LayerNorm)
    assert model.lm_head.out_features == model.embedding.num_embeddings == 100


def test_tagger_returns_a_dict_and_ignores_the_final_state() -> None:
    model = lstm_tagger_mini().eval()
    tokens = torch.randint(0, 100, (2, 16), dtype=getattr(torch, INPUT_DTYPE))
    with torch.no_grad():
        out = model(tokens)
        hidden, _ = model.lstm(model.word_embeddings(tokens))
    assert list(out) == ["tags", "hidden"]
    assert out["tags"].shape == (2, 16, 5) and out["hidden"].shape == (2, 16, 48)
    torch.testing.assert_close(out["hidden"], hidden)
    assert model.lstm.bidirectional and model.lstm.batch_first


def test_tagger_layers() -> None:
    model = LSTMTagger(50, 8, 6, 3, num_layers=2)
    assert model.lstm.num_layers == 2 and model.hidden2tag.in_features == 12
