"""``netviz`` as a process (``netviz.cli.run``): exit codes, complete output, exit handlers.

``run`` ends the process with ``os._exit`` after the exit handlers, skipping the
interpreter teardown; these tests check nothing a user sees is lost with it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "reference"


def netviz(*args: str, prelude: str = "") -> subprocess.CompletedProcess[bytes]:
    """Run ``netviz ARGS`` the way the console script does, after ``prelude`` code."""
    code = f"{prelude}\nimport sys\nfrom netviz.cli import run\nsys.argv = ['netviz', *sys.argv[1:]]\nrun()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--version",), 0),
        (("--help",), 0),
        (("list", "wrn*"), 0),
        (("frobnicate",), 2),
        (("render", "wrn28-2x", "-o", "-"), 1),
    ],
)
def test_exit_codes(args: tuple[str, ...], code: int) -> None:
    assert netviz(*args).returncode == code


def test_stdout_is_complete() -> None:
    done = netviz("pseudocode", "wrn28_2")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (GOLDEN / "wrn28_2.pseudocode.txt").read_bytes()


def test_exit_handlers_of_the_command_still_run() -> None:
    """Handlers registered while the command runs (torch registers some) run before the exit."""
    prelude = (
        "import atexit, netviz.cli\n"
        "def command(argv=None):\n"
        "    atexit.register(lambda: print('handler ran', flush=True))\n"
        "    return 3\n"
        "netviz.cli.main = command"
    )
    done = netviz("list", prelude=prelude)
    assert done.returncode == 3
    assert done.stdout.decode().splitlines() == ["handler ran"]


def test_exit_handlers_registered_before_netviz_started_run() -> None:
    """coverage and telemetry flushers register theirs before netviz runs; they must run."""
    prelude = (
        "import atexit\n"
        "atexit.register(lambda: print('registered first', flush=True))\n"
        "import netviz.cli\n"
        "def command(argv=None):\n"
        "    atexit.register(lambda: print('registered by the command', flush=True))\n"
        "    return 4\n"
        "netviz.cli.main = command"
    )
    done = netviz("list", prelude=prelude)
    assert done.returncode == 4
    assert done.stdout.decode().splitlines() == ["registered by the command", "registered first"]


def test_a_real_command_runs_the_earlier_exit_handler_too() -> None:
    done = netviz("list", "wrn28*", prelude="import atexit\natexit.register(print, 'bye')")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().splitlines()[-1] == "bye"
    assert "wrn28_2" in done.stdout.decode()


def test_atexit_can_run_the_handlers_now() -> None:
    """The one private API ``run`` uses: ``atexit._run_exitfuncs`` runs and clears the handlers."""
    import atexit

    assert callable(atexit._run_exitfuncs)
    code = ("import atexit, os\natexit.register(print, 'ran')\natexit._run_exitfuncs()\n"
            "print('after')\nos._exit(0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == ["ran", "after"]


def test_torch_library_teardown_is_left_to_the_process_end() -> None:
    """torch's operator libraries are not unregistered one by one at exit (~5 ms); every
    other finalizer still runs. Pins the two private names ``run`` uses for it:
    ``weakref.finalize._registry`` and ``torch.library._del_library``."""
    prelude = (
        "import atexit, weakref, torch, torch.library\n"
        "class Box: pass\n"
        "box = Box()\n"
        "weakref.finalize(box, print, 'finalizer ran', flush=True)\n"
        "def torch_finalizers():\n"
        "    return sum(1 for info in weakref.finalize._registry.values()\n"
        "               if info.func is torch.library._del_library and info.atexit)\n"
        "import netviz.cli\n"
        "def command(argv=None):\n"
        "    print('before exit', torch_finalizers() > 0, flush=True)\n"
        "    atexit.register(lambda: print('at exit', torch_finalizers(), flush=True))\n"
        "    return 0\n"
        "netviz.cli.main = command"
    )
    done = netviz("list", prelude=prelude)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().splitlines() == ["before exit True", "at exit 0", "finalizer ran"]
