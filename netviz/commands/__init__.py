"""One module per ``netviz`` sub-command.

Each module defines ``register(subparsers, common)``, which adds its parser and
sets ``run`` as the parser's default; ``run(args) -> int`` does the work.
Modules import torch (through ``netviz.api``) only inside ``run``.
"""

COMMANDS = ("list", "render", "diff", "pseudocode", "summary", "plot", "cache")
