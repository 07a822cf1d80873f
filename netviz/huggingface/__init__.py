"""transformers models as a source of models: ``hf:CLASS`` and checkpoint folders.

Nothing here is imported unless a model spec names a transformers model, and
transformers is an optional dependency: ``import netviz`` and the registered
models never import it.

Modules:
    specs: which specs name a transformers model, the remote-code check, cache
        identity (no torch, no transformers).
    models: building the model from its configuration, offline, without weights.
    inputs: the inputs its forward expects, made from the model.
"""
