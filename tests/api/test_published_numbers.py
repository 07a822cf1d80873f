"""netviz's counts of torchvision-sized models against torchvision's published model table."""

from __future__ import annotations

import json

import pytest

import netviz

IMAGE = [(3, 224, 224)]

# torchvision's model table: parameters and "GFLOPS" (multiply-accumulates, 224x224)
PUBLISHED = [
    ("resnet50", 25_557_032, 4.09),
    ("netviz_models.vit:vit_b_16", 86_567_656, 17.56),
    ("netviz_models.swin:swin_t", 28_288_354, 4.49),
    ("netviz_models.convnext:convnext_tiny", 28_589_128, 4.46),
    ("netviz_models.densenet:densenet121", 7_978_856, 2.83),
    ("netviz_models.inception:googlenet", 6_624_904, 1.50),
    ("netviz_models.mobilenet:mobilenet_v2", 3_504_872, 0.30),
    ("netviz_models.regnet:regnet_y_400mf", 4_344_144, 0.40),
]


@pytest.mark.parametrize(("spec", "params", "gmacs"), PUBLISHED, ids=[p[0] for p in PUBLISHED])
def test_summary_counts_equal_the_published_table(spec: str, params: int, gmacs: float) -> None:
    table = json.loads(netviz.summary(spec, "json", input_shapes=IMAGE, depth=0))
    assert table["total_params"] == params
    assert round(table["mult_adds"] / 1e9, 2) == pytest.approx(gmacs, abs=0.005)
