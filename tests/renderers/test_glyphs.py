from __future__ import annotations

import pytest

from netviz.ir import Kind, Mark
from netviz.renderers.glyphs import GLYPHS, glyph_for, glyph_name, mark_text
from tests.renderers.graphs import MARKS


@pytest.mark.parametrize("name", list(MARKS))
def test_each_fixture_mark_gets_its_glyph(name: str) -> None:
    assert glyph_name(MARKS[name]) == name


@pytest.mark.parametrize(
    ("type_names", "kinds", "expected"),
    [
        (("BatchNorm1d", "ReLU"), (Kind.NORM, Kind.ACT), "bn-relu"),
        (("BatchNorm3d", "relu"), (Kind.NORM, Kind.ACT), "bn-relu"),
        (("batch_norm", "relu_"), (Kind.NORM, Kind.ACT), "bn-relu"),
        (("BatchNorm2d", "PReLU"), (Kind.NORM, Kind.ACT), "norm-act"),
        (("BatchNorm2d", "ReLU6"), (Kind.NORM, Kind.ACT), "norm-act"),
        (("GroupNorm", "ReLU"), (Kind.NORM, Kind.ACT), "norm-act"),
        (("ReLU", "BatchNorm2d"), (Kind.ACT, Kind.NORM), "chain"),
        (("LayerNorm",), (Kind.NORM,), "norm"),
        (("GELU",), (Kind.ACT,), "act"),
        ((), (), "chain"),
    ],
)
def test_classification(type_names: tuple[str, ...], kinds: tuple[Kind, ...], expected: str) -> None:
    assert glyph_name(Mark(type_names, kinds, ())) == expected


def test_only_bn_relu_is_unlabelled_and_glyphs_are_distinct() -> None:
    assert [g.name for g in GLYPHS.values() if not g.labelled] == ["bn-relu"]
    heads = [g.arrowhead for g in GLYPHS.values()]
    assert len(set(heads)) == len(heads)
    assert GLYPHS["bn-relu"].arrowhead == "odot" and GLYPHS["bn-relu"].mermaid == "--o"


def test_plain_edge_has_no_glyph_and_text_falls_back_to_op_names() -> None:
    assert glyph_for(None) is None
    assert mark_text(Mark(("InstanceNorm2d", "PReLU"), (Kind.NORM, Kind.ACT), ())) == (
        "InstanceNorm2d → PReLU"
    )
    assert mark_text(MARKS["norm-act"]) == "IN → PReLU"
