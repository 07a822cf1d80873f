"""The stylesheet the plugin adds to every site: how fences look, whatever the site's CSS.

Diagrams and charts sit on a white card (Graphviz and matplotlib draw on white, so they
stay readable in a dark theme), centred, scrolling sideways rather than overflowing.
Material's colour variables are used where the theme has them.
"""

from __future__ import annotations

STYLESHEET = "assets/netviz/netviz-fence.css"
"""Site-relative path of the stylesheet (written at the end of each build)."""

CSS = """\
/* Added by the netviz MkDocs plugin: the look of ```netviz fences. */
.netviz-diagram,
.netviz-chart {
  margin: 1em 0;
  padding: 0.8em;
  overflow-x: auto;
  text-align: center;
  background: #ffffff;
  border-radius: 0.2rem;
  box-shadow: var(--md-shadow-z1, 0 0.2rem 0.5rem rgba(0, 0, 0, 0.05));
}
.netviz-chart svg {
  max-width: 100%;
  height: auto;
}
/* Graphviz diagrams are sized in em (netviz.mkdocs.html.readable): their smallest text is
   the body text size. A diagram wider than the page scrolls sideways, never shrinks. */
.netviz-diagram svg,
.md-typeset .netviz-diagram svg {
  max-width: none;
}
.netviz-mermaid {
  background: transparent;
  box-shadow: none;
}
.netviz-pseudocode pre > code {
  tab-size: 4;
  -moz-tab-size: 4;
}
.netviz-placeholder {
  background: var(--md-code-bg-color, #f5f5f5);
}
/* The gallery's thumbnails: on a white card too (drawn black on transparent). */
.md-typeset img.netviz-thumbnail {
  max-width: none;  /* its own size: a table cell would squeeze it */
  background: #ffffff;
  padding: 0.2em;
  border-radius: 0.2rem;
  box-shadow: var(--md-shadow-z1, 0 0.2rem 0.5rem rgba(0, 0, 0, 0.05));
  vertical-align: middle;
}
"""
"""The stylesheet's text."""
