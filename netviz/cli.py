"""The ``netviz`` command line: argument parsing, error reporting, exit codes.

Commands live in ``netviz.commands``; each module there adds its own
sub-parser and runs it. Nothing here imports torch, so ``netviz --help`` is fast.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import sys
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import import_module
from typing import Any, NoReturn, TextIO

from netviz import __version__
from netviz.commands import COMMANDS
from netviz.errors import FitReport, NetvizError, NetvizWarning


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other netviz error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"netviz: error: {message} (see '{self.prog} --help')\n")

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """``add_argument``; string choices match in any case (``--direction lr``)."""
        choices = kwargs.get("choices")
        if choices is not None and "type" not in kwargs and all(isinstance(c, str) for c in choices):
            kwargs["type"] = _any_case(tuple(choices))
        return super().add_argument(*args, **kwargs)


def _any_case(choices: tuple[str, ...]) -> Callable[[str], str]:
    """An argument type giving the choice spelled as ``--help`` shows it, whatever the case."""
    canonical = {choice.casefold(): choice for choice in choices}

    def choice(text: str) -> str:
        return canonical.get(text.casefold(), text)  # argparse reports a text that is no choice

    return choice


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Build the full ``netviz`` argument parser (used by the docs' CLI reference too).

    Args:
        only: Add this command's sub-parser alone: all that parsing a command line that
            names it needs (the other commands' modules are not imported).
    """
    common = _Parser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        # SUPPRESS: a sub-command's default must not undo `netviz --debug render ...`.
        default=argparse.SUPPRESS,
        help="show tracebacks and internal details (render: the traced IR) when something fails",
    )
    common.add_argument(
        "--no-cache",
        action="store_true",
        default=argparse.SUPPRESS,
        help="neither read nor write netviz's cache of traced models and rendered images "
        "(also: NETVIZ_NO_CACHE=1; see 'netviz cache info')",
    )
    parser = _Parser(
        prog="netviz",
        description="Compact block diagrams, pseudocode and summaries of neural networks (PyTorch models, transformers classes and checkpoints).",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"netviz {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS if only is None else (only,):
        import_module(f"netviz.commands.{name}").register(subparsers, common)
    return parser


_LEADING = ("--debug", "--no-cache")
"""Options that may come before the command (spelled out) without changing how it parses."""


def command_of(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs, if only spelled-out common options come before it
    (``None``: anything else, such as ``--help`` or an unknown command, which the full
    parser reads and reports)."""
    for arg in argv:
        if arg in COMMANDS:
            return arg
        if arg not in _LEADING:
            return None
    return None


def _print_netviz_warning(stream: TextIO) -> Callable[..., None]:
    """A ``warnings.showwarning`` that prints netviz warnings as one ``netviz: warning:`` line."""

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, FitReport):  # not a warning: what --fit chose
            print(f"netviz: {message}", file=stream)
        elif issubclass(category, NetvizWarning):
            print(f"netviz: warning: {message}", file=stream)

    return show


@contextmanager
def _without_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for one command.

    A command is short-lived and a deep model makes hundreds of thousands of
    objects, which the collector would scan again and again (~0.2 s on WRN-1000-2).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code (0 ok, 1 failure, 2 bad usage; a command may
    set ``error_exit_code`` for every failure, as ``diff`` does: its 1 means "differ")."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(only=command_of(arguments))
    try:
        args = parser.parse_args(arguments)
    except NetvizError as exc:  # raised by argument types such as parse_shape: bad usage
        print(f"netviz: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    from netviz.cache import using_cache  # after parsing: --help needs no cache

    debug = bool(getattr(args, "debug", False))
    no_cache = bool(getattr(args, "no_cache", False))
    with warnings.catch_warnings(), _without_gc(), using_cache(enabled=False if no_cache else None):
        if not debug:
            warnings.simplefilter("ignore")
            warnings.simplefilter("always", NetvizWarning)
            warnings.showwarning = _print_netviz_warning(sys.stderr)
        try:
            return int(args.run(args) or 0)
        except NetvizError as exc:
            if debug:
                _print_traceback(exc)
            print(f"netviz: error: {_one_line(str(exc))}", file=sys.stderr)
            return getattr(args, "error_exit_code", None) or exc.exit_code
        except KeyboardInterrupt:
            print("netviz: interrupted", file=sys.stderr)
            return 130
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if debug:
                _print_traceback(exc)
            hint = "" if debug else " (run again with --debug for details)"
            print(
                f"netviz: error: unexpected {type(exc).__name__}: "
                f"{_shortened(_one_line(str(exc)))}{hint}",
                file=sys.stderr,
            )
            return getattr(args, "error_exit_code", None) or 1


def run() -> None:
    """The ``netviz`` command (console script and ``python -m netviz``): ``main()``, then exit.

    After the command, the other threads are joined and every exit handler runs
    (those registered before netviz started, such as coverage's, and torch's; only
    the unregistering of torch's operator libraries is left to the end of the process);
    then the process ends with ``os._exit``: tearing down an interpreter that
    imported torch (freeing every module and object one by one) takes ~0.25 s and
    does nothing a finished command needs, since outputs are written and flushed by
    then. Call ``main()`` to run a command without exiting.

    The cyclic garbage collector stays off for the whole process: switching it back
    on after the command would make it scan every object the command made (~0.1 s
    for a deep model) just before the process ends.
    """
    gc.disable()  # this process ends with the command (see above)
    # transformers logs advice about inputs netviz makes itself (attention masks, padding)
    # to stderr, which would bury netviz's one-line messages; read at its import, so set
    # for this process only, here, where the process is the command's.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    status = main()  # --help, --version and usage errors exit through argparse, as usual
    _flush()
    for thread in threading.enumerate():  # what the interpreter does before the handlers
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    _skip_torch_library_teardown()
    # atexit has no public "run the handlers now"; _run_exitfuncs (CPython since 3.0,
    # and PyPy) runs and clears them all, in the usual order, reporting their errors.
    # tests/cli/test_run.py pins it: a handler registered before netviz started runs.
    atexit._run_exitfuncs()
    _flush()
    os._exit(status)


def _skip_torch_library_teardown() -> None:
    """Let the end of the process, not the exit handlers, undo torch's operator libraries.

    Every ``torch.library.Library`` (134 after ``import torch``) has a ``weakref.finalize``
    that unregisters its kernels at exit: ~5 ms of bookkeeping in memory that ``os._exit``
    discards anyway. Those finalizers are marked not to run at exit (the public
    ``finalize.atexit``); every other finalizer (a temporary folder's clean-up, ...) still runs.

    Two private names, pinned by tests/cli/test_run.py: ``weakref.finalize._registry``
    (CPython's table of live finalizers, stable since 3.4) and ``torch.library._del_library``
    (their callback). If either is missing, nothing is skipped.
    """
    library = sys.modules.get("torch.library")
    unregister = getattr(library, "_del_library", None)
    registry = getattr(weakref.finalize, "_registry", None)
    if unregister is None or not isinstance(registry, dict):
        return
    for finalizer, info in list(registry.items()):
        if getattr(info, "func", None) is unregister:
            finalizer.atexit = False


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing left to say
            pass


def _print_traceback(exc: BaseException) -> None:
    """The full traceback (with notes, e.g. the partial IR) for ``--debug``.

    netviz re-raises errors from user code as one-line errors ``from None``; the
    hidden original (with the user's own frames) is printed first.
    """
    import traceback  # --debug only

    hidden = exc.__context__ if exc.__suppress_context__ and exc.__cause__ is None else None
    if hidden is not None:
        traceback.print_exception(hidden, file=sys.stderr)
        print("\nThe error above was reported as:\n", file=sys.stderr)
    traceback.print_exception(exc, file=sys.stderr)
    if sys.version_info < (3, 11):  # tracebacks show notes from 3.11 on
        for note in getattr(exc, "__notes__", ()):
            print(note, file=sys.stderr)
    sys.stderr.flush()


def _one_line(message: str) -> str:
    return " ".join(message.split()) or "unknown error"


UNEXPECTED_CHARS = 300
"""At most this much of an unexpected error's message is printed (``--debug``'s traceback
shows it all): a message listing a whole graph (a cycle's nodes) still reads as one line."""


def _shortened(message: str) -> str:
    if len(message) <= UNEXPECTED_CHARS:
        return message
    return message[: UNEXPECTED_CHARS - 1].rstrip() + "…"


if __name__ == "__main__":  # pragma: no cover
    run()
