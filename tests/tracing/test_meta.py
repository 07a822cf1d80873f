"""Forwards of meta models (netviz.tracing.meta): values where no weight is involved, the
cap on real forwards, and the private torch API this relies on."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest
import torch
from torch import nn

import netviz
from netviz.errors import ModelTooLargeError
from netviz.tracing.device import empty_copy
from netviz.tracing.meta import LostValues, meta_inputs, meta_unsupported, meta_values, value_of
from netviz.tracing.weights import max_weight_bytes, weight_bytes
from tests.tracing import zoo


def test_the_private_dispatch_api_is_there() -> None:
    """``TorchDispatchMode`` (torch.utils._python_dispatch) and its ``_should_skip_dynamo``
    hook, which netviz overrides so that a meta forward never imports torch._dynamo."""
    from torch.utils._python_dispatch import TorchDispatchMode

    assert callable(getattr(TorchDispatchMode, "_should_skip_dynamo", None))
    code = (
        "import sys, torch\n"
        "from netviz.tracing.meta import meta_values\n"
        "with meta_values():\n"
        "    x = torch.ones(3, device='meta')\n"
        "    assert int(x.sum()) == 3\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_values_that_depend_on_no_weight_are_known() -> None:
    (ids,) = meta_inputs([(4,)], torch.float32, ["int64"])
    assert ids.is_meta and torch.equal(value_of(ids), torch.zeros(1, 4, dtype=torch.int64))
    with meta_values():
        mask = torch.ones(1, 4, device="meta")
        assert mask.is_meta and bool(mask.all()) and int(mask.sum()) == 4
        assert ids.tolist() == [[0, 0, 0, 0]]
        assert (0 in ids) is True
        positions = torch.arange(4, device=ids.device).unsqueeze(0)
        assert positions.is_meta and positions[0, -1].item() == 3
        hits = torch.nonzero(positions >= 2)  # a data-dependent shape, from the values
        assert hits.is_meta and tuple(hits.shape) == (2, 2)
        view = mask[:, :2]
        mask.mul_(2)  # in place: its views see it, as on a real device
        assert view.sum().item() == 4
        mixed = positions + torch.ones(4)  # a real operand joins the meta side
        assert mixed.is_meta and mixed.sum().item() == 10


def test_values_computed_from_weights_are_unknown() -> None:
    with torch.device("meta"):
        layer = nn.Linear(4, 4)
    (x,) = meta_inputs([(4,)], torch.float32)
    with meta_values():
        y = layer(x)
        with pytest.raises(RuntimeError, match="meta"):
            y.sum().item()
        known = torch.zeros(1, 4, device="meta")
        known.add_(y)  # weight data written into it: its value is gone
        with pytest.raises(RuntimeError, match="meta"):
            known.sum().item()
        real = torch.zeros(1, 4)
        with pytest.raises(LostValues):
            real.add_(y)


def test_meta_unsupported() -> None:
    assert meta_unsupported(NotImplementedError("no kernel"))
    assert meta_unsupported(RuntimeError("Tensor.item() cannot be called on meta tensors"))
    assert meta_unsupported(RuntimeError(
        "tolist() shouldn't be called on a tensor with unallocated storage"))
    assert not meta_unsupported(RuntimeError("mat1 and mat2 shapes cannot be multiplied"))


def test_a_real_forward_is_refused_past_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """A meta model whose forward needs a weight's value is built on the CPU only when its
    weights fit the cap; otherwise one line says how large, and what to set."""
    with torch.device("meta"):
        model = zoo.DataDependent()
    monkeypatch.setenv("NETVIZ_MAX_WEIGHT_BYTES", "1K")
    assert max_weight_bytes() == 1024 and weight_bytes(model) > 1024
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ModelTooLargeError) as caught:
            netviz.trace(model, [(3, 8, 8)])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("DataDependent needs a real forward (its forward fails on the "
                              "meta device at ")
    assert f"its weights take {weight_bytes(model) / 1024:.1f} KB, more than netviz" in message
    assert "(1.0 KB); set NETVIZ_MAX_WEIGHT_BYTES=1G to allow it" in message
    monkeypatch.setenv("NETVIZ_MAX_WEIGHT_BYTES", "1M")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert netviz.trace(model, [(3, 8, 8)]).node("c3").shape == (4, 8, 8)


@pytest.mark.parametrize("text, value", [
    ("", 2 << 30), ("8G", 8 << 30), ("500M", 500 << 20), ("1.5GB", 3 << 29), ("123", 123),
    ("lots", 2 << 30),
])
def test_the_cap_is_read_from_the_environment(
    text: str, value: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETVIZ_MAX_WEIGHT_BYTES", text)
    assert max_weight_bytes() == value


def test_an_empty_copy_keeps_shared_weights_shared() -> None:
    """``deepcopy(...).to_empty(...)`` makes one tensor per layer holding a shared one."""
    with torch.device("meta"):
        model = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 10, bias=False))
    model[1].weight = model[0].weight
    model.register_buffer("scale", torch.ones(4))
    copy = empty_copy(model, "cpu")
    assert copy[1].weight is copy[0].weight and not copy[0].weight.is_meta
    assert not copy.scale.is_meta
    assert sum(p.numel() for p in copy.parameters()) == 40
    assert model[0].weight.is_meta  # the original is untouched
    import copy as copying

    untied = copying.deepcopy(model).to_empty(device="cpu")
    assert untied[1].weight is not untied[0].weight  # why empty_copy exists


def test_builds_and_real_forwards_leave_no_mode_behind() -> None:
    from torch.utils._python_dispatch import _get_current_dispatch_mode

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        netviz.trace(zoo.DataDependent(), [(3, 8, 8)])
    assert _get_current_dispatch_mode() is None


def test_integer_inputs_take_their_leading_values() -> None:
    from netviz.tracing.device import make_inputs

    from netviz.inputs import Fill

    (ids,) = make_inputs([(5,)], torch.device("cpu"), torch.float32, random=True,
                         dtypes=["int64"], fills=[Fill(((7, 2), (3, 1)))])
    assert ids.tolist() == [[7, 7, 3, 0, 0]]
    (meta,) = meta_inputs([(5,)], torch.float32, ["int64"], [Fill(((7, 2),))])
    assert meta.is_meta and value_of(meta).tolist() == [[7, 7, 0, 0, 0]]  # type: ignore[union-attr]
    grid, rows = make_inputs([(1, 3), (4, 6)], torch.device("cpu"), torch.float32,
                             random=True, dtypes=["int64", "float32"],
                             fills=[Fill(((1, 1), (2, 2)), batched=False), Fill(batched=False)])
    assert grid.tolist() == [[1, 2, 2]] and tuple(rows.shape) == (4, 6)  # no batch in front
