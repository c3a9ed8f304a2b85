"""The glossary (book/glossary.md), checked against the chapters without building the book.

Each entry of the ``{glossary}`` directive is one or more term lines and an indented
definition that links to the section defining the term, as ``[title](NN-name.ipynb#slug)``
(or ``notation.md#slug``). The slugs are MyST's heading anchors (``myst_heading_anchors``
in _config.yml): this file computes them from the chapters' headings exactly as MyST does
(the text and inline code of a heading, without its mathematics, through
``default_slugify``, with ``-1``, ``-2`` added to repeats within a page), so a link to a
section that was renamed fails here at once, and the strict build (``-W``, MyST's
``xref_missing`` warning) fails too. The built HTML, the general index and the search index
are checked in tests/test_book_build.py.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
GLOSSARY = BOOK / "glossary.md"
HEADING_DEPTH = 3  # myst_heading_anchors
SECTION_LINK = re.compile(r"\]\(([\w.-]+\.(?:ipynb|md))#([^)\s]+)\)")
TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")
STOPWORDS = {"a", "an", "and", "of", "or", "the", "to", "in", "on"}


def parse_glossary(text: str) -> list[tuple[list[str], str]]:
    """The entries of the ``{glossary}`` block: (term lines, definition text), in order.

    The same reading as Sphinx's glossary directive: unindented lines are terms, indented
    lines the definition of the terms above them, options (``:sorted:``) skipped.
    """
    match = re.search(r"^```\{glossary\}\n(.*?)^```\s*$", text, re.M | re.S)
    assert match, "book/glossary.md has no ```{glossary} block"
    entries: list[tuple[list[str], list[str]]] = []
    in_definition = True
    for line in match.group(1).splitlines():
        if not line.strip() or line.startswith(":"):
            continue
        if not line[0].isspace():
            if in_definition:
                entries.append(([line.strip()], []))
                in_definition = False
            else:
                entries[-1][0].append(line.strip())
        else:
            in_definition = True
            entries[-1][1].append(line.strip())
    return [(terms, " ".join(definition)) for terms, definition in entries]


@cache
def entries() -> list[tuple[list[str], str]]:
    return parse_glossary(GLOSSARY.read_text(encoding="utf-8"))


def _markdown_parser():
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    config = MdParserConfig(
        enable_extensions={"amsmath", "colon_fence", "deflist", "dollarmath", "substitution"}
    )
    return create_md_parser(config, RendererHTML)


def _markdown_sources(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        notebook = nbformat.read(path, as_version=4)
        return [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    return [path.read_text(encoding="utf-8")]


@cache
def page_slugs(name: str) -> frozenset[str]:
    """The heading anchors MyST gives the page book/<name>, headings down to ###."""
    from myst_parser.mdit_to_docutils.base import default_slugify

    md = _markdown_parser()
    slugs: list[str] = []
    for source in _markdown_sources(BOOK / name):
        tokens = md.parse(source)
        for opening, inline in zip(tokens, tokens[1:]):
            if opening.type != "heading_open" or int(opening.tag[1]) > HEADING_DEPTH:
                continue
            title = "".join(
                child.content for child in inline.children or []
                if child.type in ("text", "code_inline")
            )
            slug = base = default_slugify(title)
            repeat = 1
            while slug in slugs:
                slug = f"{base}-{repeat}"
                repeat += 1
            slugs.append(slug)
    return frozenset(slugs)


@cache
def page_words(name: str) -> str:
    text = " ".join(_markdown_sources(BOOK / name)).lower()
    return re.sub(r"[^\w]+", " ", text)


def _sort_key(term: str) -> str:
    # Sphinx's glossary :sorted: option: the first term, NFD-normalised, lower case.
    return unicodedata.normalize("NFD", term.lower())


def _words(term: str) -> list[str]:
    term = re.sub(r"\([^)]*\)", " ", term)
    return [w for w in re.findall(r"\w+", term.lower()) if w not in STOPWORDS]


# ------------------------------------------------------------------ the page


def test_glossary_is_in_the_appendices():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    appendix = [part for part in toc["parts"] if part.get("caption") == "Appendices"]
    assert appendix, "_toc.yml has no Appendices part"
    files = [chapter["file"] for chapter in appendix[0]["chapters"]]
    assert "book/glossary" in files, f"book/glossary is not in the Appendices: {files}"
    assert not appendix[0].get("numbered"), "the Appendices must stay unnumbered"


def test_heading_anchors_are_enabled():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    depth = config["sphinx"]["config"].get("myst_heading_anchors", 0)
    assert depth >= HEADING_DEPTH, (
        "the glossary links to ### sections: set sphinx.config.myst_heading_anchors to 3 "
        f"in _config.yml (it is {depth})"
    )


def test_glossary_has_the_expected_size_and_is_sorted():
    text = GLOSSARY.read_text(encoding="utf-8")
    assert re.search(r"^```\{glossary\}\n:sorted:", text, re.M), "the glossary lost :sorted:"
    firsts = [terms[0] for terms, _ in entries()]
    assert 60 <= len(firsts) <= 150, f"{len(firsts)} entries; the chapters define 60 to 150"
    assert firsts == sorted(firsts, key=_sort_key), (
        "keep the source in the order the page shows: "
        + ", ".join(f"{a} > {b}" for a, b in zip(firsts, firsts[1:]) if _sort_key(a) > _sort_key(b))
    )


def test_no_term_is_defined_twice():
    seen: dict[str, str] = {}
    twice = []
    for terms, _ in entries():
        for term in terms:
            key = term.lower()
            if key in seen:
                twice.append(f"{term!r} (also under {seen[key]!r})")
            seen[key] = terms[0]
    assert not twice, f"terms defined twice: {twice}"


def test_term_references_inside_definitions_exist():
    known = {term.lower() for terms, _ in entries() for term in terms}
    missing = []
    for terms, definition in entries():
        for role in TERM_ROLE.findall(definition):
            target = re.search(r"<([^>]+)>$", role)
            target = (target.group(1) if target else role).strip().lower()
            if target not in known:
                missing.append(f"{terms[0]}: {{term}}`{role}`")
    assert not missing, f"references to terms the glossary lacks: {missing}"


def test_definitions_are_short():
    """One or two sentences of definition, then where the chapters define it."""
    long = []
    for terms, definition in entries():
        body = definition.split(" Defined in ")[0].split(" Defined on ")[0]
        body = re.sub(r"\$[^$]*\$", "MATH", body)
        body = re.sub(r"\(([^()]|\([^()]*\))*\)", "", body)  # parenthetical remarks
        sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=\S)", body) if s.strip()]
        if len(sentences) > 2:
            long.append(f"{terms[0]} ({len(sentences)} sentences)")
    assert not long, f"definitions longer than two sentences: {long}"


# ------------------------------------------------------------------ links back


@pytest.mark.parametrize("terms, definition", entries(), ids=[t[0] for t, _ in entries()])
def test_entry_links_to_the_section_that_defines_it(terms, definition):
    links = SECTION_LINK.findall(definition)
    assert links, f"{terms[0]}: no link to a section ([title](NN-name.ipynb#slug))"
    for page, slug in links:
        assert (BOOK / page).is_file(), f"{terms[0]}: links to {page}, which does not exist"
        assert slug in page_slugs(page), (
            f"{terms[0]}: {page} has no section with the anchor #{slug}; its anchors are "
            f"{sorted(page_slugs(page))}"
        )
    chapter = links[0][0]
    if chapter.endswith(".ipynb"):
        assert f"{{doc}}`{Path(chapter).stem}`" in definition, (
            f"{terms[0]}: name the chapter too, {{doc}}`{Path(chapter).stem}`"
        )


@pytest.mark.parametrize("terms, definition", entries(), ids=[t[0] for t, _ in entries()])
def test_every_term_appears_in_the_page_it_links_to(terms, definition):
    """Each word of each term (up to its ending: 'initialization' finds 'initializers')
    is in the text of the first page the entry links to, the page that defines it."""
    page = SECTION_LINK.findall(definition)[0][0]
    text = page_words(page)
    for term in terms:
        absent = [
            word for word in _words(term)
            if not re.search(r"\b" + re.escape(word[:6] if len(word) > 6 else word), text)
        ]
        assert not absent, f"{term!r}: {absent} not found in {page}"
