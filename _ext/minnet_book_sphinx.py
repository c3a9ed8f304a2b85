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
- "Check yourself" (the quick questions before each chapter's summary) is raw HTML
  ``<details>`` with markdown feedback between its tags. Builders other than HTML (the
  LaTeX/PDF build) drop raw HTML and would print the feedback without its options, so
  there the section is left out. ``tests/test_selfchecks.py`` describes the format.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes

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


SELFCHECK_TITLE = "Check yourself"


def _drop_selfchecks_outside_html(app, doctree, docname):
    if app.builder.format == "html":
        return
    for section in list(doctree.findall(nodes.section)):
        title = section.next_node(nodes.title)
        if title is not None and title.astext().strip() == SELFCHECK_TITLE:
            section.parent.remove(section)


def _add_static(app, config):
    if str(STATIC) not in map(str, config.html_static_path):
        config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("config-inited", _add_static)
    for name in CSS_FILES:
        app.add_css_file(name)
    app.connect("html-page-context", _fix_page, priority=900)
    app.connect("doctree-resolved", _drop_selfchecks_outside_html)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
