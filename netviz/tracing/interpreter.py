"""``torch.fx.Interpreter`` without the costs of its set-up and run that netviz does not use.

fx's ``Interpreter.__init__`` walks the whole model for its table of submodules (netviz
has it from the trace already); its ``run`` makes a ``tqdm`` progress bar (disabled by
fx's config, but made all the same: the first one in the process starts tqdm's monitor
thread and imports ``multiprocessing``'s locks) and updates it for every node.
[`PlainInterpreter`][netviz.tracing.interpreter.PlainInterpreter] runs the same loop
without the bar.
"""

from __future__ import annotations

from typing import Any

import torch.fx
from torch import nn


class PlainInterpreter(torch.fx.Interpreter):
    """A ``torch.fx.Interpreter`` whose ``run`` makes no progress bar."""

    def run(self, *args: Any, initial_env: dict[torch.fx.Node, Any] | None = None,
            enable_io_processing: bool = True) -> Any:
        """What ``torch.fx.Interpreter.run`` does, from its documented pieces (the graph's
        ``process_inputs``/``process_outputs``, ``args_iter`` feeding the placeholders,
        ``env``, ``run_node``) and ``user_to_last_uses`` (fx's table of the values to drop
        after each node: ``tests/tracing/test_walks.py`` pins it), without its progress
        bar; with ``extra_traceback`` (fx's longer error messages) it is fx's own
        ``run``. ``tests/tracing/test_interpreter.py`` holds both to the same results.

        Args:
            *args: The graph's inputs, in placeholder order.
            initial_env: Values of nodes not to run.
            enable_io_processing: Pass the inputs and the output through the graph's
                ``process_inputs`` and ``process_outputs``.

        Returns:
            What the graph's output node gives.
        """
        if self.extra_traceback:
            return super().run(*args, initial_env=initial_env,
                               enable_io_processing=enable_io_processing)
        env = self.env = initial_env if initial_env is not None else {}
        if enable_io_processing:
            args = self.graph.process_inputs(*args)
        self.args_iter = iter(args)
        last_uses = self.user_to_last_uses if self.garbage_collect_values else {}
        for node in self.graph.nodes:
            if node in env:  # given: not run
                continue
            env[node] = self.run_node(node)
            for done in last_uses.get(node, ()):
                del env[done]
            if node.op == "output":
                output = env[node]
                return self.graph.process_outputs(output) if enable_io_processing else output
        return None


def interpreter_init(interpreter: torch.fx.Interpreter, module: nn.Module,
                     graph: torch.fx.Graph, submodules: dict[str, nn.Module]) -> None:
    """What ``torch.fx.Interpreter.__init__`` does (``garbage_collect_values`` on), given
    ``dict(module.named_modules())`` instead of walking the model again for it. Its
    attributes are fx's own (``user_to_last_uses``, undocumented):
    ``tests/tracing/test_walks.py`` pins that both give the same ones."""
    interpreter.module = module
    interpreter.submodules = submodules
    interpreter.graph = graph
    interpreter.env = {}
    interpreter.name = "Interpreter"
    interpreter.garbage_collect_values = True
    interpreter.extra_traceback = True
    last_use: dict[torch.fx.Node, torch.fx.Node] = {}
    interpreter.user_to_last_uses = {}
    for node in reversed(graph.nodes):
        for used in node.all_input_nodes:
            if used not in last_use:
                last_use[used] = node
                interpreter.user_to_last_uses.setdefault(node, []).append(used)
