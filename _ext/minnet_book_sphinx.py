"""Small fixes to Jupyter Book 1.x's HTML output, loaded from _config.yml.

- sphinx-thebe 0.3 registers its configuration script once per reading pass, so a page
  can declare ``const THEBE_JS_URL`` twice (once registered with the file name None,
  once with "") and the browser reports a SyntaxError. Each
  page keeps one copy of every inline or external script.
- pydata-sphinx-theme logs "Got invalid theme mode" on every first visit when no
  default colour mode is configured; the book starts in "auto" (the reader's system
  setting).
- The book's own CSS, ``static/minnet-book.css`` beside this file, is added to every
  page (contrast of links inside exercise, solution and proof boxes; see the file).
  It is served from this folder, not from a root-level ``_static/``, which Jupyter Book
  would inject wholesale into every page.
- Sphinx numbers the figures (and equations) of all pages outside the numbered parts in one
  sequence, so an appendix's first figure would read "Figure 3" after the two of the first
  network. Each such page counts its own from 1, as the chapters do.
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
CSS_FILES = ("minnet-book.css",)


def _fix_page(app, pagename, templatename, context, doctree):
    if not context.get("default_mode"):
        context["default_mode"] = "auto"
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        # An inline script is registered with filename None once and "" the other time.
        filename = getattr(script, "filename", script) or ""
        attributes = getattr(script, "attributes", {})
        key = (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    scripts[:] = kept


def _add_static(app, config):
    if str(STATIC) not in map(str, config.html_static_path):
        config.html_static_path.append(str(STATIC))


def _number_unnumbered_pages_alone(app, env):
    """Renumber figures, tables and equations from 1 on every page that has no chapter
    number (after Sphinx's own numbering, which runs on the same event)."""
    changed = []
    for docname, by_type in env.toc_fignumbers.items():
        if env.toc_secnumbers.get(docname):
            continue
        for numbers in by_type.values():
            ordered = sorted(numbers, key=lambda node_id: numbers[node_id])
            renumbered = {node_id: (k,) for k, node_id in enumerate(ordered, start=1)}
            if renumbered != numbers:
                numbers.clear()
                numbers.update(renumbered)
                changed.append(docname)
    return sorted(set(changed))


def setup(app):
    app.connect("env-get-updated", _number_unnumbered_pages_alone, priority=900)
    app.connect("config-inited", _add_static)
    for name in CSS_FILES:
        app.add_css_file(name)
    app.connect("html-page-context", _fix_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
