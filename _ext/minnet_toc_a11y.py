"""Give the sidebar's expand/collapse toggles an accessible name.

pydata-sphinx-theme 0.17 (under sphinx-book-theme) turns a table-of-contents entry that has
sub-pages (``sections:`` in _toc.yml, such as the API reference's pages) into
``<details><summary>`` whose only content is a decorative chevron icon. Screen readers
then announce an unnamed control, and axe-core reports it ("summary-name", serious). This
extension wraps the theme's ``generate_toctree_html`` so that each such ``<summary>`` gets
an ``aria-label`` naming the entry it opens: "Sub-pages of The minnet API".
"""

from __future__ import annotations


def _label_toggles(html: str) -> str:
    if "<summary" not in html:
        return html
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for summary in soup.select("li.has-children > details > summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        link = summary.find_parent("li").find("a", class_="reference", recursive=False)
        title = " ".join(link.get_text(" ", strip=True).split()) if link else "this entry"
        summary["aria-label"] = f"Sub-pages of {title}"
    return str(soup)


def _wrap_toctree(app, pagename, templatename, context, doctree):
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "_minnet_labelled", False):
        return

    def generate_labelled(*args, **kwargs):
        return _label_toggles(str(generate(*args, **kwargs)))

    generate_labelled._minnet_labelled = True
    context["generate_toctree_html"] = generate_labelled


def setup(app):
    # after pydata-sphinx-theme puts generate_toctree_html into the context (priority 500)
    app.connect("html-page-context", _wrap_toctree, priority=901)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
