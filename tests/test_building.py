"""Building models on meta skips weight initialisation, and nothing leaks out."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from torch import nn

from netviz.building import building_on


def _initialisers() -> dict[str, object]:
    return {name: getattr(nn.init, name) for name in dir(nn.init) if name.endswith("_")}


def _resets() -> dict[tuple[type, str], object]:
    """The reset methods of every torch layer class (netviz must never replace them)."""
    found: dict[tuple[type, str], object] = {}
    todo: list[type] = [nn.Module]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            for name in ("reset_parameters", "reset_running_stats", "_reset_parameters"):
                if sub.__module__.startswith("torch.nn.") and name in vars(sub):
                    found[(sub, name)] = vars(sub)[name]
    return found


def test_meta_build_skips_initialisers_without_replacing_them() -> None:
    before, resets = _initialisers(), _resets()
    with building_on("meta"):
        assert _initialisers() == before and _resets() == resets  # nothing swapped
        layer = nn.Conv2d(3, 8, 3)
        assert nn.init.normal_(layer.weight) is layer.weight
        assert nn.init.trunc_normal_(layer.weight) is layer.weight
    assert layer.weight.is_meta
    assert _initialisers() == before and _resets() == resets


def test_torch_hands_its_initialisers_to_the_active_function_mode() -> None:
    """Pins the torch behaviour the meta build relies on: ``torch.nn.init``'s initialisers
    (and the fills the others use) reach a ``TorchFunctionMode``, which can answer them."""
    from torch.overrides import TorchFunctionMode

    seen: list[str] = []

    class Record(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
            seen.append(getattr(func, "__name__", ""))
            return func(*args, **(kwargs or {}))

    weight = torch.empty(4, 4, device="meta")
    with Record():
        nn.init.uniform_(weight)
        nn.init.kaiming_uniform_(weight)
        nn.init.xavier_normal_(weight)
        nn.init.zeros_(weight)
    assert {"uniform_", "kaiming_uniform_", "normal_", "zero_"} <= set(seen)


def test_the_mode_ends_when_the_builder_raises() -> None:
    with pytest.raises(RuntimeError), building_on("meta"):
        raise RuntimeError("builder failed")
    torch.manual_seed(0)
    expected = nn.Linear(4, 4).weight.detach().clone()
    torch.manual_seed(0)
    assert torch.equal(nn.Linear(4, 4).weight, expected) and expected.abs().sum() > 0


def test_meta_build_skips_the_fills_of_torch_layer_resets() -> None:
    resets = _resets()
    with building_on("meta"):
        bn = nn.BatchNorm2d(4)
        assert _resets() == resets
    assert bn.running_var.is_meta and bn.running_var.shape == (4,)
    assert _resets() == resets


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


# --- threads: netviz's skipping is seen by the building thread only -------------------------


def _seeded_linear() -> nn.Linear:
    torch.manual_seed(1234)
    return nn.Linear(16, 16)


def test_a_cpu_model_built_in_another_thread_during_a_meta_build_is_initialised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    monkeypatch.setenv("NETVIZ_MAX_MODULES", "10")
    expected = _seeded_linear().weight.detach().clone()
    building, built = threading.Event(), threading.Event()
    other: dict[str, object] = {}

    def plain_torch_user() -> None:  # another thread, not netviz: it never waits for netviz
        building.wait(30)
        try:
            other["weight"] = _seeded_linear().weight.detach().clone()
            other["many"] = nn.Sequential(*[nn.ReLU() for _ in range(20)])  # not netviz's budget
            other["bn"] = nn.BatchNorm1d(3)
        except Exception as exc:  # noqa: BLE001 - reported below
            other["error"] = exc
        built.set()

    thread = threading.Thread(target=plain_torch_user)
    thread.start()
    with building_on("meta"):
        meta = nn.Linear(16, 16)
        building.set()
        assert built.wait(30)
        nn.init.kaiming_normal_(meta.weight)  # still skipped here, in the building thread
    thread.join(30)
    assert "error" not in other, other.get("error")
    weight = other["weight"]
    assert isinstance(weight, torch.Tensor) and weight.abs().sum() > 0
    assert torch.equal(weight, expected)  # real, seeded-reproducible initial weights
    bn = other["bn"]
    assert isinstance(bn, nn.BatchNorm1d) and torch.equal(bn.running_var, torch.ones(3))
    assert meta.weight.is_meta


def test_nested_builds_skip_on_meta_and_initialise_on_cpu() -> None:
    torch.manual_seed(0)
    expected = nn.Linear(4, 4).weight.detach().clone()  # built outside any build context
    before = _initialisers()
    with building_on("meta"):
        with building_on("meta"):
            inner = nn.Conv2d(3, 8, 3)
        with building_on("cpu"):  # a CPU build nested in a meta build initialises for real
            torch.manual_seed(0)
            real = nn.Linear(4, 4)
        outer = nn.Conv2d(3, 8, 3)
    assert inner.weight.is_meta and outer.weight.is_meta
    assert torch.equal(real.weight, expected)  # initialised, not left as uninitialised memory
    assert _initialisers() == before


def test_four_concurrent_diagrams_equal_sequential_ones_and_leave_torch_as_it_was() -> None:
    from concurrent.futures import ThreadPoolExecutor

    import netviz

    names = ["wrn28_2", "resnet18", "wrn16_4", "mdnc_bottleneck2d_ex1"]
    original = _initialisers()
    resets = _resets()
    module_call = nn.Module.__call__
    sequential = [netviz.render(name, "dot") for name in names]
    with ThreadPoolExecutor(4) as pool:
        concurrent = list(pool.map(lambda name: netviz.render(name, "dot"), names))
    assert concurrent == sequential
    assert _initialisers() == original
    assert _resets() == resets
    assert nn.Module.__call__ is module_call
