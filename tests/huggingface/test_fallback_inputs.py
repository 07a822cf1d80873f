"""Inputs netviz has no rule for by name, made from the configuration and the forward.

Each model is a tiny configuration of a transformers class whose default inputs netviz
could not make before: images as flat patches with their grid (SigLIP-2), hidden states
as the main input and an optional input the forward's own error names (the BLIP-2
Q-Former), a raw waveform under another name (VibeVoice's acoustic encoder), and speech
features as wide as the configuration's feature projection (Wav2Vec2-BERT), speech features
with the mask of time steps the forward needs (Audio Flamingo 3's encoder), speech features
whose mel bins the configuration does not name (Gemma 4's audio encoder). Every
parameter must be drawn: ``sum(p.numel() for p in model.parameters())``.
"""

from __future__ import annotations

import pytest

import netviz
from netviz.ir import Graph
from tests.huggingface.tiny import reference, traced


def _inputs(graph: Graph) -> dict[str, tuple[int, ...] | None]:
    return {n.id: n.shape for n in graph.nodes if n.kind.value == "input"}


CASES = {
    "Siglip2VisionModel": dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                               num_attention_heads=2, patch_size=4, num_patches=16),
    "Blip2QFormerModel": dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                              num_attention_heads=2, vocab_size=99, encoder_hidden_size=24,
                              max_position_embeddings=64),
    "VibeVoiceAcousticTokenizerEncoderModel": dict(hidden_size=16, num_filters=4,
                                                   depths=[1, 1, 1], downsampling_ratios=[2, 4]),
    "AudioFlamingo3Encoder": dict(num_mel_bins=16, num_hidden_layers=1, num_attention_heads=2,
                                  intermediate_size=37, hidden_size=32,
                                  max_source_positions=24),
    "Gemma4AudioModel": dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                             subsampling_conv_channels=[128, 8], output_proj_dims=16),
    "Wav2Vec2BertModel": dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                              intermediate_size=37, feature_projection_input_dim=24,
                              output_hidden_size=32),
}
EXPECTED = {
    "Siglip2VisionModel": {"pixel_values": (16, 3 * 4 * 4), "spatial_shapes": (2,),
                           "pixel_attention_mask": (16,)},
    "Blip2QFormerModel": {"query_embeds": (64, 32), "encoder_hidden_states": (64, 24)},
    "VibeVoiceAcousticTokenizerEncoderModel": {"hidden_states": (1, 16_000)},
    # a mask over the time steps, for a forward that takes one for its features
    "AudioFlamingo3Encoder": {"input_features": (16, 48), "input_features_mask": (48,)},
    # no mel bins named: 80, then 128 (taken: its projection wants 128 / 4 x 8 values)
    "Gemma4AudioModel": {"input_features": (3000, 128)},
    # features of feature_projection_input_dim (stacked mel frames), not num_mel_bins
    "Wav2Vec2BertModel": {"input_features": (2 * 5000, 24)},  # 2 x max_source_positions
}


UNCALLED = {"Siglip2VisionModel": 16 * 32, "Wav2Vec2BertModel": 32}
"""Parameters this forward does not draw: SigLIP-2 resizes its position embeddings' table
(16 positions x 32) as a tensor without calling the module; Wav2Vec2-BERT's
``masked_spec_embed`` (32) is applied only in training, to masked time steps."""


@pytest.mark.parametrize("name", sorted(CASES))
def test_inputs_without_a_rule_are_made(name: str) -> None:
    graph = traced(name, CASES[name])
    drawn = sum(n.params for n in graph.nodes)
    assert drawn == reference(name, CASES[name]) - UNCALLED.get(name, 0)
    assert _inputs(graph) == EXPECTED[name]
    assert netviz.Diagram.of(graph).dot


DINO = dict(model_type="dinov2", hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
            mlp_ratio=2, image_size=32, patch_size=8)
DEPTH_PRO = dict(patch_size=32, fusion_hidden_size=16, intermediate_hook_ids=[1, 0],
                 intermediate_feature_dims=[16, 16], scaled_images_feature_dims=[32, 32, 16],
                 image_model_config=DINO, patch_model_config=DINO, fov_model_config=DINO)


def test_an_image_larger_than_the_configuration_names_when_it_is_refused() -> None:
    """Depth Pro cuts its input into tiles of ``image_size`` at scales down to 1/4: an image
    of ``image_size`` is refused as too small, four times that is taken. Two DINOv2
    ``mask_token`` vectors (2 x 16) are applied only to masked patches, never here."""
    graph = traced("DepthProModel", DEPTH_PRO)
    assert _inputs(graph) == {"pixel_values": (3, 4 * 32, 4 * 32)}
    assert sum(n.params for n in graph.nodes) == reference("DepthProModel", DEPTH_PRO) - 2 * 16
    assert netviz.Diagram.of(graph).dot


VOXTRAL = dict(
    text_config=dict(vocab_size=99, hidden_size=32, intermediate_size=37, num_hidden_layers=1,
                     num_attention_heads=2, num_key_value_heads=1, head_dim=16,
                     max_position_embeddings=4096, sliding_window=64),
    audio_config=dict(vocab_size=99, hidden_size=16, intermediate_size=37, num_hidden_layers=1,
                      num_attention_heads=2, num_mel_bins=16, max_position_embeddings=1500,
                      sliding_window=32, head_dim=8),
    hidden_size=32)


def test_token_ids_as_long_as_the_forward_says() -> None:
    """Voxtral Realtime adds each audio frame's embedding to a text token's: 3000 feature
    frames, downsampled 8 times, need 375 tokens, which its error names ("broadcast a
    dimension of length 375")."""
    graph = traced("VoxtralRealtimeModel", VOXTRAL)
    assert _inputs(graph) == {"input_ids": (3000 // 8,), "input_features": (16, 3000)}
    assert sum(n.params for n in graph.nodes) == reference("VoxtralRealtimeModel", VOXTRAL)


TVP = dict(backbone_config=dict(model_type="resnet", embedding_size=8, hidden_sizes=[8, 16],
                                depths=[1, 1], out_features=["stage2"], image_size=32),
           visual_prompt_size=8, max_img_size=64, num_frames=2, hidden_size=32,
           intermediate_size=37, num_hidden_layers=1, num_attention_heads=2, vocab_size=99,
           max_position_embeddings=64)


def test_video_frames_larger_than_the_configuration_names_when_refused() -> None:
    """TVP pads its frames to ``max_img_size`` (64), twice the backbone's ``image_size``
    (32): frames of 32 are refused, frames of 64 taken. Its visual embeddings' own position
    table (64 x 32) is not used by this forward."""
    graph = traced("TvpModel", TVP)
    assert _inputs(graph) == {"input_ids": (64,), "pixel_values": (2, 3, 64, 64)}
    assert sum(n.params for n in graph.nodes) == reference("TvpModel", TVP) - 64 * 32
