"""Live code (Thebe on Binder) that runs a chapter's cells in place, loaded from _config.yml.

Jupyter Book 1.x turns on sphinx-thebe 0.3 for the "Live Code" button. Out of the box that
falls short of running a chapter, for three reasons this extension fixes:

- Every chapter starts with a setup cell tagged ``remove-input`` (imports, seeds). Its code is
  not in the HTML, so Thebe cannot run it, and the first visible cell that uses ``np`` or
  ``minnet`` fails with a NameError. This extension writes the source of every
  ``remove-input`` cell into its (still present) cell as ``<script
  type="text/x-minnet-thebe-cell">``: inert in the static page (not shown, not read by screen
  readers, not indexed by the search), turned by ``static/minnet-thebe.js`` into a code cell
  that Thebe runs first, as soon as the kernel is ready, and keeps out of sight.
- sphinx-thebe 0.3.1 loads thebe 0.8.2, whose widget manager bundles the JavaScript of
  ipywidgets 7 (``@jupyter-widgets/controls`` 3.x, widget models "1.5.0"); the book's kernel
  runs ipywidgets 8, whose models ask for "2.0.0", so no widget renders. thebe 0.9.x bundles
  the widgets of ipywidgets 8 (``@jupyter-widgets/base`` 6, ``controls`` 5). The URL that
  sphinx-thebe writes into every page (``THEBE_JS_URL``) is pointed at
  ``minnet_thebe_js_url``, and thebe's stylesheet ``minnet_thebe_css_url`` is added when the
  reader presses the button (thebe 0.9 ships it as a separate file). Nothing is loaded before
  the button is pressed.
- The Binder URL is written into the page's Thebe configuration
  (``binderOptions.binderUrl``), from ``launch_buttons.binderhub_url``, so that the launch
  buttons and Thebe use the same BinderHub; and the kernel's name is written where thebe 0.9
  reads it (``kernelOptions.kernelName``; sphinx-thebe writes ``kernelOptions.name``).

When the reader presses the button, thebe 0.9.3 comes from unpkg.com, and it fetches
require.js (to load widget code) and MathJax 2 (for formulas in outputs) from
cdnjs.cloudflare.com, and the code of widget libraries other than ipywidgets' own (the book
uses none) from cdn.jsdelivr.net.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from docutils import nodes

THEBE_VERSION = "0.9.3"
UNPKG = f"https://unpkg.com/thebe@{THEBE_VERSION}/lib"
CELL_TYPE = "text/x-minnet-thebe-cell"


def _notebook_sources(app, docname: str) -> dict[int, str] | None:
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".ipynb":
        return None
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return {i: "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for i, c in enumerate(cells) if c.get("cell_type") == "code"}


def _add_hidden_sources(app, doctree, docname):
    """Put the code of each remove-input cell, inert, into its cell on the page."""
    if not app.config.minnet_thebe_hidden_cells:
        return
    sources = None
    for cell in doctree.findall(nodes.container):
        if cell.get("nb_element") != "cell_code" or "tag_remove-input" not in cell["classes"]:
            continue
        if sources is None:
            sources = _notebook_sources(app, docname) or {}
        source = sources.get(cell.get("cell_index"))
        if source is None:
            continue
        # JSON in a script element: "</" is escaped so that no string ends the element
        payload = json.dumps(source).replace("</", "<\\/")
        cell.insert(0, nodes.raw("", f'<script type="{CELL_TYPE}">{payload}</script>',
                                 format="html"))


def _fix_page(app, pagename, templatename, context, doctree):
    """Point sphinx-thebe's inline configuration at the chosen thebe, and name the BinderHub."""
    for script in context.get("script_files") or ():
        attributes = getattr(script, "attributes", None)
        body = attributes.get("body") if attributes else None
        if body and "const THEBE_JS_URL" in body and "MINNET_THEBE_CSS_URL" not in body:
            # the same script object serves every page: rewrite it once
            attributes["body"] = re.sub(
                r'const THEBE_JS_URL = "[^"]*"',
                f'const THEBE_JS_URL = "{app.config.minnet_thebe_js_url}"; '
                f'const MINNET_THEBE_CSS_URL = "{app.config.minnet_thebe_css_url}"',
                body,
            )
    body = context.get("body")
    if not body or "text/x-thebe-config" not in body:
        return
    binder = app.config.minnet_thebe_binder_url
    if binder and "binderUrl" not in body:
        body = body.replace(
            "binderOptions: {", f'binderOptions: {{\n            binderUrl: "{binder}",', 1)
    # sphinx-thebe writes the kernel as kernelOptions.name (thebe 0.8); thebe 0.9 reads
    # kernelOptions.kernelName and would otherwise ask the server for a kernel "python"
    kernel = re.search(r'kernelOptions: \{\s*name: "([^"]+)"', body)
    if kernel and "kernelName:" not in body:
        body = body.replace(
            "kernelOptions: {", f'kernelOptions: {{\n            kernelName: "{kernel.group(1)}",', 1)
    context["body"] = body


def _binder_url(app, config):
    static = str(Path(__file__).resolve().parent / "static")
    if static not in map(str, config.html_static_path):
        config.html_static_path.append(static)
    if not config.minnet_thebe_binder_url:
        options = config.html_theme_options or {}
        url = (options.get("launch_buttons") or {}).get("binderhub_url")
        if url:
            config.minnet_thebe_binder_url = url.rstrip("/")


def setup(app):
    app.add_config_value("minnet_thebe_js_url", f"{UNPKG}/index.js", "html")
    app.add_config_value("minnet_thebe_css_url", f"{UNPKG}/thebe.css", "html")
    app.add_config_value("minnet_thebe_binder_url", "", "html")
    app.add_config_value("minnet_thebe_hidden_cells", True, "html")
    app.connect("config-inited", _binder_url)
    app.connect("doctree-resolved", _add_hidden_sources)
    # before minnet_book_sphinx's de-duplication of scripts (priority 900)
    app.connect("html-page-context", _fix_page, priority=800)
    app.add_js_file("minnet-thebe.js", **{"defer": "defer"})
    app.add_css_file("minnet-thebe.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
