"""Building models on meta skips weight initialisation, and nothing leaks out."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from torch import nn

from netviz.building import building_on


def test_meta_build_skips_initialisers_and_restores_them() -> None:
    original = nn.init.kaiming_normal_
    with building_on("meta"):
        assert nn.init.kaiming_normal_ is not original
        layer = nn.Conv2d(3, 8, 3)
        nn.init.normal_(layer.weight)
    assert nn.init.kaiming_normal_ is original
    assert layer.weight.is_meta


def test_initialisers_are_restored_when_the_builder_raises() -> None:
    original = nn.init.uniform_
    with pytest.raises(RuntimeError), building_on("meta"):
        raise RuntimeError("builder failed")
    assert nn.init.uniform_ is original


def test_meta_build_skips_torch_layer_resets_and_restores_them() -> None:
    resets = {
        (cls, name): vars(cls)[name]
        for cls in (nn.modules.conv._ConvNd, nn.modules.batchnorm._NormBase, nn.Linear)
        for name in ("reset_parameters", "reset_running_stats")
        if name in vars(cls)
    }
    assert len(resets) == 4
    with building_on("meta"):
        for (cls, name), original in resets.items():
            assert vars(cls)[name] is not original
        bn = nn.BatchNorm2d(4)
    assert bn.running_var.is_meta and bn.running_var.shape == (4,)
    for (cls, name), original in resets.items():
        assert vars(cls)[name] is original


def test_resets_are_untouched_on_cpu_and_for_user_classes() -> None:
    class Custom(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.calls = 0
            self.reset_parameters()

        def reset_parameters(self) -> None:
            self.calls += 1

    with building_on("meta"):
        assert Custom().calls == 1  # the user's own reset still runs
    with building_on("cpu"):
        bn = nn.BatchNorm2d(3)
    assert torch.equal(bn.running_var, torch.ones(3))


def test_cpu_build_initialises_for_real() -> None:
    torch.manual_seed(0)
    with building_on("cpu"):
        layer = nn.Linear(4, 4)
        nn.init.ones_(layer.weight)
    assert torch.equal(layer.weight, torch.ones(4, 4))


def test_meta_build_of_a_custom_initialising_model_does_not_import_dynamo() -> None:
    code = (
        "import sys, torch\n"
        "from torch import nn\n"
        "from netviz.building import building_on\n"
        "with building_on('meta'):\n"
        "    m = nn.Conv2d(3, 8, 3)\n"
        "    nn.init.normal_(m.weight); nn.init.kaiming_normal_(m.weight)\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_model_registering_too_many_modules_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    from netviz.errors import ModelTooLargeError

    monkeypatch.setenv("NETVIZ_MAX_MODULES", "10")
    with pytest.raises(ModelTooLargeError, match="too large: it registers more than 10 submodules"), building_on("meta"):
        nn.Sequential(*[nn.ReLU() for _ in range(20)])
    with building_on("meta"):  # the hook is gone again: a later, smaller build works
        nn.Sequential(*[nn.ReLU() for _ in range(5)])
