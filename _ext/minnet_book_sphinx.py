r"""Small fixes to Jupyter Book 1.x's output (HTML and PDF), loaded from _config.yml.

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

For the PDF (``jupyter-book build . --builder pdflatex``) only:

- Chapter numbers as in the HTML. LaTeX numbers every ``\chapter`` in a row, so the three
  pages of "Getting started" would become chapters 1-3 and book/01-neuron chapter 4, with
  its equations (4.1), ... and figures "Figure 4.1", while the HTML (and the theorem and
  exercise numbers, which come from Sphinx) say 1. The parts of _toc.yml without
  ``numbered`` get unnumbered chapters (each restarts its own figure, table and equation
  count, as in the HTML: "Figure 1", "(1)"), the numbered parts number their chapters from
  1 on with unnumbered sections, as the HTML does (the appendices, like the front matter,
  stay unnumbered), and the parts themselves carry only their captions.
- sphinx-exercise labels an exercise ``exercise:<label>`` in LaTeX, while a ``{ref}`` to it
  (the instructor guide's course plans) points at ``<page>:<label>``, so every such
  reference printed "??". Those references are pointed at sphinx-exercise's label.
- sphinx-proof 0.4 looks up the page of a theorem or definition in the assembled LaTeX
  document by walking up to a section titled like the page; the walk fails there (moved
  nodes keep stale parents), so it writes ``\label{None:thm-xor}`` and no number, and
  every reference to it prints "??". The page is read instead from the record
  sphinx-proof keeps of every labelled directive (``env.proof_list``).
- "Check yourself" (the quick questions before each chapter's summary) is raw HTML
  ``<details>`` with markdown feedback between its tags. Builders other than HTML (the
  LaTeX/PDF build) drop raw HTML and would print the feedback without its options, so
  there the section is left out. ``tests/test_selfchecks.py`` describes the format.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

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


# LaTeX put around the parts of _toc.yml (see the module's doc). Before each part nothing
# is numbered, not even the part ("Part II" above "Part I: One neuron, one layer" would
# only confuse); after the title of a numbered part its chapters are numbered, their
# sections not; each page of an unnumbered part counts its figures, tables and equations
# from 1.
BEFORE_PART = "\\setcounter{secnumdepth}{-2}\n"
NUMBERED_CHAPTERS = "\\setcounter{secnumdepth}{0}\n"
UNNUMBERED_PAGE = "\\setcounter{figure}{0}\\setcounter{table}{0}\\setcounter{equation}{0}\n"


class LatexChapterNumbering(SphinxPostTransform):
    """Numbered parts of _toc.yml number their chapters 1, 2, ...; the others do not."""

    builders = ("latex",)
    default_priority = 800  # after sphinx-jupyterbook-latex has made the parts (700)

    def run(self, **kwargs):
        site_map = getattr(self.env, "external_site_map", None)
        if site_map is None or site_map.root.docname not in site_map:
            return
        parts = site_map[site_map.root.docname].subtrees
        numbered = {p.caption: bool(p.numbered) for p in parts if p.caption}
        for part in list(self.document.findall(addnodes.start_of_file)):
            caption = part.get("docname")
            if caption not in numbered:
                continue  # a page, not a part made from a caption
            if numbered[caption]:
                section = next(iter(part.findall(nodes.section)))
                section.insert(1, nodes.raw("", NUMBERED_CHAPTERS, format="latex"))
            else:
                for page in part.findall(addnodes.start_of_file):
                    if page is not part:
                        page.insert(0, nodes.raw("", UNNUMBERED_PAGE, format="latex"))
            part.insert(0, nodes.raw("", BEFORE_PART, format="latex"))


class LatexExerciseLabels(SphinxPostTransform):
    """Point each ``{ref}`` to an exercise at the label sphinx-exercise writes (LaTeX only)."""

    builders = ("latex",)
    default_priority = 800

    def run(self, **kwargs):
        exercises = getattr(self.env, "sphinx_exercise_registry", {})
        for ref in self.document.findall(nodes.reference):
            uri = ref.get("refuri", "")
            anchor = uri.partition("#")[2]
            if uri.startswith("%") and anchor in exercises:
                ref["refuri"] = f"%exercise#{anchor}"  # LaTeX: \\hyperref[exercise:<label>]


def _proof_docname(env, node, parent_tag):
    """The page a theorem, definition, ... node comes from (see the module's doc)."""
    entry = getattr(env, "proof_list", {}).get(node.get("label", ""))
    if entry is not None:
        return entry["docname"]
    while node is not None:
        if isinstance(node, addnodes.start_of_file):
            return node["docname"]
        node = node.parent
    return None


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
    try:
        import sphinx_proof.nodes
    except ImportError:
        pass
    else:
        sphinx_proof.nodes.find_parent = _proof_docname
    app.add_post_transform(LatexChapterNumbering)
    app.add_post_transform(LatexExerciseLabels)
    app.connect("config-inited", _add_static)
    for name in CSS_FILES:
        app.add_css_file(name)
    app.connect("html-page-context", _fix_page, priority=900)
    app.connect("doctree-resolved", _drop_selfchecks_outside_html)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
