"""Inputs mended from the forward's own errors, and transformers' conventional inputs.

Each model is a tiny configuration of a transformers class whose default-config sweep
failed on its inputs: an optional input its forward needs (LXMERT's region features and
their boxes, named one after the other; Bros's ``bbox``; X-MOD's ``lang_ids``, never named;
a Decision Transformer's trajectory), a time series' padding and frequency (TimesFM),
hidden states fed as ``input_values`` on both sides of an encoder-decoder (SpeechT5's base
model has no pre-nets), and decoder ids per codebook (Dia). Every parameter must be drawn:
``sum(p.numel() for p in model.parameters())``. The menders that read error messages are
tested on the messages themselves too.
"""

from __future__ import annotations

import pytest

import netviz
from netviz.huggingface import repairs
from netviz.inputs import NamedInput
from netviz.ir import Graph
from tests.huggingface.tiny import reference, traced

TEXT = dict(vocab_size=99, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
            intermediate_size=37, max_position_embeddings=64)
DIA_PART = dict(hidden_size=32, intermediate_size=37, num_hidden_layers=1,
                num_attention_heads=2, num_key_value_heads=2, head_dim=16, vocab_size=99,
                max_position_embeddings=64)
CASES: dict[str, dict[str, object]] = {
    "LxmertModel": dict(vocab_size=99, hidden_size=32, num_attention_heads=2,
                        intermediate_size=37, l_layers=1, x_layers=1, r_layers=1,
                        visual_feat_dim=24, visual_pos_dim=4, max_position_embeddings=64),
    "XmodModel": dict(TEXT, languages=["en_XX", "de_DE"]),
    "BrosModel": dict(TEXT, hidden_size=64),  # its box sinusoids need hidden / 32 >= 2
    "DecisionTransformerModel": dict(state_dim=5, act_dim=3, hidden_size=32, n_layer=1,
                                     n_head=2, max_ep_len=64, n_positions=64),
    "TimesFmModel": dict(patch_length=8, context_length=64, horizon_length=8,
                         num_hidden_layers=1, hidden_size=32, intermediate_size=37,
                         head_dim=16, num_attention_heads=2),
    "SpeechT5Model": dict(vocab_size=99, hidden_size=32, encoder_layers=1, decoder_layers=1,
                          encoder_attention_heads=2, decoder_attention_heads=2,
                          encoder_ffn_dim=37, decoder_ffn_dim=37, max_text_positions=64,
                          max_speech_positions=64),
    "DiaModel": dict(encoder_config=DIA_PART,
                     decoder_config=dict(DIA_PART, cross_num_attention_heads=2,
                                         cross_head_dim=16, cross_num_key_value_heads=2,
                                         cross_hidden_size=32, num_channels=3),
                     delay_pattern=[0, 1, 2]),
    "SegGptModel": dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_dim=37,
                        image_size=[64, 32], patch_size=8, pretrain_image_size=32,
                        decoder_hidden_size=16, merge_index=0,
                        intermediate_hidden_state_indices=[1]),
    "VideoLlama3VisionModel": dict(hidden_size=32, intermediate_size=37, num_hidden_layers=1,
                                   num_attention_heads=2, patch_size=8),
    "MiniCPMOcrVisionModel": dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                                  num_attention_heads=2, image_size=64, patch_size=8,
                                  insert_layer_id=0),
    "Kosmos2Model": dict(text_config=dict(vocab_size=99, embed_dim=32, layers=1,
                                          attention_heads=2, ffn_dim=37,
                                          max_position_embeddings=64),
                         vision_config=dict(hidden_size=32, intermediate_size=37,
                                            num_hidden_layers=1, num_attention_heads=2,
                                            image_size=32, patch_size=8),
                         latent_query_num=4),
    "Gemma4VisionModel": dict(hidden_size=32, intermediate_size=37, num_hidden_layers=1,
                              num_attention_heads=2, num_key_value_heads=2, head_dim=16,
                              patch_size=16, pooling_kernel_size=3,
                              position_embedding_size=64),
}
EXPECTED = {
    "LxmertModel": {"input_ids": (64,), "visual_feats": (64, 24), "visual_pos": (64, 4)},
    "XmodModel": {"input_ids": (64,), "lang_ids": (64,)},
    "BrosModel": {"input_ids": (64,), "bbox": (64, 4)},
    "DecisionTransformerModel": {"states": (64, 5), "actions": (64, 3), "rewards": (64, 1),
                                 "returns_to_go": (64, 1), "timesteps": (64,)},
    "TimesFmModel": {"past_values": (64, 1), "past_values_padding": (64,), "freq": ()},
    "SpeechT5Model": {"input_values": (128, 32), "decoder_input_values": (128, 32)},
    "DiaModel": {"input_ids": (64,), "decoder_input_ids": (64, 3)},
    # an image over its prompt, as tall as the model's 64 x 32 together
    "SegGptModel": {"pixel_values": (3, 32, 32), "prompt_pixel_values": (3, 32, 32),
                    "prompt_masks": (3, 32, 32)},
    # 224 / 8 = 28 patches a side of 3 x 8 x 8 values, their grid, how much they merge
    "VideoLlama3VisionModel": {"pixel_values": (28 * 28, 3 * 8 * 8), "grid_thw": (1, 3),
                               "merge_sizes": (1,)},
    "MiniCPMOcrVisionModel": {"pixel_values": (3, 64, 64), "target_sizes": (2,)},
    "Kosmos2Model": {"pixel_values": (3, 32, 32), "input_ids": (64,),
                     "image_embeds_position_mask": (64,)},
    # 224 / 16 = 14 patches a side, 12 as a multiple of the pooling kernel (3)
    "Gemma4VisionModel": {"pixel_values": (12 * 12, 3 * 16 * 16), "pixel_position_ids": (144, 2)},
}
UNCALLED = {"DecisionTransformerModel": 32, "SegGptModel": 32}
"""Parameters this forward does not draw: the Decision Transformer feeds its GPT-2
embeddings, never the GPT-2's own token table (one token x 32); SegGPT's mask token (32)
replaces masked patches only (``bool_masked_pos``)."""


@pytest.mark.parametrize("name", sorted(CASES))
def test_inputs_mended_from_the_forwards_errors(name: str) -> None:
    graph = traced(name, CASES[name])
    shapes = {n.id: n.shape for n in graph.nodes if n.kind.value == "input"}
    assert shapes == EXPECTED[name]
    assert sum(n.params for n in graph.nodes) == reference(name, CASES[name]) - UNCALLED.get(
        name, 0)
    assert netviz.Diagram.of(graph).dot


def _shapes(found: list[tuple[NamedInput, ...]]) -> list[dict[str, tuple[int, ...]]]:
    return [{i.name: i.shape for i in inputs} for inputs in found]


VIDEO = (NamedInput("input_ids", (128,), "int64"),
         NamedInput("pixel_values_videos", (16, 3, 224, 224), "float32"))


def test_an_image_at_the_size_the_model_says() -> None:
    said = repairs.resized_images(VIDEO, "Input height (224) doesn't match model (336).")
    # every side of the size named: a square image stays square
    assert _shapes(said) == [{"input_ids": (128,), "pixel_values_videos": (16, 3, 336, 336)}]
    said = repairs.resized_images(
        VIDEO, "Input image size (224*224) doesn't match model (896*448).")
    assert _shapes(said)[0]["pixel_values_videos"] == (16, 3, 896, 448)
    assert repairs.resized_images(VIDEO, "some other error") == []


def test_a_length_rounded_up_to_the_multiple_asked() -> None:
    audio = (NamedInput("input_values", (16_000,), "float32"),)
    said = repairs.padded_lengths(audio, "`input_values` length 16000 is not a multiple of 1920.")
    assert _shapes(said) == [{"input_values": (9 * 1920,)}]


@pytest.mark.parametrize("error", [
    "a and b must have same reduction dim, but got [3000, 80] X [320, 1024].",
    "mat1 and mat2 shapes cannot be multiplied (3000x80 and 320x1024)",
])
def test_vectors_at_the_width_the_linear_layer_takes(error: str) -> None:
    features = (NamedInput("input_features", (3000, 80), "float32"),)
    assert _shapes(repairs.linear_widths(features, error)) == [
        {"input_features": (3000, 320)}, {"input_features": (320,)}]  # or one vector


def test_features_moved_last_or_widened_for_a_layer_norm() -> None:
    error = ("Given normalized_shape=[160], expected input with shape [160], but got input of "
             "size torch.Size([1, 160, 10000])")
    features = (NamedInput("input_features", (160, 10_000), "float32"),)
    assert _shapes(repairs.layer_widths(features, error)) == [{"input_features": (10_000, 160)}]
    error = error.replace("160, 10000", "16000")
    samples = (NamedInput("input_values", (16_000,), "float32"),)
    assert _shapes(repairs.layer_widths(samples, error)) == [{"input_values": (128, 160)}]


def test_float_inputs_as_integers_for_an_embedding() -> None:
    error = ("Expected tensor for argument #1 'indices' to have one of the following scalar "
             "types: Long, Int; but got torch.float32 instead")
    series = (NamedInput("past_values", (64,), "float32"), NamedInput("freq", (64, 3), "float32"))
    said = repairs.integer_indices(series, error)
    assert [(i.shape, i.dtype) for inputs in said for i in inputs if i.name == "freq"] == [
        ((), "int64"), ((64,), "int64")]


def test_token_ids_per_codebook() -> None:
    ids = (NamedInput("decoder_input_ids", (128,), "int64"),)
    said = repairs.token_codebooks(ids, "shape '[1, 9, -1]' is invalid for input of size 128")
    assert _shapes(said) == [{"decoder_input_ids": (128, 9)}]


def test_images_the_model_joins_each_at_its_share_of_the_size() -> None:
    """SegGPT stacks an image over its prompt: two images of the model's size are too
    tall by two, so each gets half (the pair first, then each alone)."""
    pair = (NamedInput("pixel_values", (3, 896, 448), "float32"),
            NamedInput("prompt_pixel_values", (3, 896, 448), "float32"))
    said = repairs.resized_images(pair, "Input image size (1792*448) doesn't match model "
                                        "(896*448).")
    assert _shapes(said)[0] == {"pixel_values": (3, 448, 448),
                                "prompt_pixel_values": (3, 448, 448)}


def test_an_input_said_too_long_is_halved() -> None:
    features = (NamedInput("input_ids", (128,), "int64"),
                NamedInput("input_features", (1, 3000, 64), "float32"))
    said = repairs.shortened(features, "the wav size should be less than or equal to the "
                                       "swin input size")
    assert _shapes(said) == [{"input_ids": (128,), "input_features": (1, 1500, 64)}]
    assert repairs.shortened(features, "some other error") == []


def test_a_size_the_model_cannot_broadcast_takes_its_tensors() -> None:
    error = ("Attempting to broadcast a dimension of length 560 at -1! Mismatching argument "
             "at index 1 had torch.Size([80, 560]); but expected shape should be "
             "broadcastable to [1, 80, 3000]")
    features = (NamedInput("input_features", (80, 3000), "float32"),)
    assert _shapes(repairs.broadcast_sizes(features, error)) == [{"input_features": (80, 560)}]


def test_the_patch_grid_of_an_image_and_leading_ones_of_a_companion() -> None:
    class Config:
        patch_size = 16
        latent_query_num = 4

    image = (NamedInput("pixel_values", (3, 224, 448), "float32"),)
    (said,) = repairs.patch_grid(image, ["pixel_values", "target_sizes"], Config())
    grid = said[-1]
    assert (grid.name, grid.shape, grid.fill and grid.fill.runs) == (
        "target_sizes", (2,), ((14, 1), (28, 1)))
    ids = (NamedInput("input_ids", (16,), "int64"),)
    (said,) = repairs.companions(ids, ["image_embeds_position_mask"], Config(), "float32")
    mask = said[-1]
    assert (mask.shape, mask.fill and mask.fill.runs) == ((16,), ((1, 4),))


def test_the_main_input_alone_survives_the_candidate_cap() -> None:
    """A forward taking images and speech features besides its token ids has more
    combinations than [`MAX_CANDIDATES`][netviz.huggingface.inputs.MAX_CANDIDATES]; the
    token ids alone (what a text-only configuration runs: EmbeddingGemma 2) must still be
    among the candidates, last."""
    from torch import nn

    from netviz.huggingface.inputs import MAX_CANDIDATES, input_candidates

    class Config:
        max_position_embeddings = 64

    class Multimodal(nn.Module):
        main_input_name = "input_ids"
        config = Config()

        def forward(self, input_ids=None, pixel_values=None, input_features=None):  # type: ignore[no-untyped-def]
            return input_ids

    found = input_candidates(Multimodal())
    assert len(found) == MAX_CANDIDATES
    assert _shapes(found[-1:]) == [{"input_ids": (64,)}]
    assert {"pixel_values", "input_features"} <= {i.name for i in found[0]}
