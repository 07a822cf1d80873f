"""netviz's MkDocs integration: the ```` ```netviz ```` fence and the ``netviz`` plugin.

- [`netviz.mkdocs.fence`][]: the pymdownx.superfences custom fence;
- [`netviz.mkdocs.options`][]: what a fence may ask for;
- [`netviz.mkdocs.plugin`][]: the plugin that registers the fence and generates pages;
- [`netviz.mkdocs.worker`][]: the rendering done in worker processes;
- [`netviz.mkdocs.prefetch`][]: finding the fences of pages and docstrings up front;
- [`netviz.mkdocs.gallery`][], [`netviz.mkdocs.cli_reference`][], [`netviz.mkdocs.apiref`][]:
  the generated pages;
- [`netviz.mkdocs.html`][]: HTML fragments (inline SVG with unique ids).

Importing this package does not import MkDocs or torch.
"""
