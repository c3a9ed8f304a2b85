"""The book's house rules, checked on the files (fast; no kernel, no build).

- every notebook under book/ is in _toc.yml, and every page _toc.yml lists exists;
- notebooks are stored without outputs, execution counts or widget state;
- every notebook starts with the setup cell: hidden, TensorFlow quieted before it is
  imported, minnet installed on Colab from the repository named in _config.yml, seeds set.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
SUFFIXES = (".ipynb", ".md")


def _toc_files() -> list[str]:
    """Every `file:` (and the root) in _toc.yml, as written (no suffix)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return files


def _source(entry: str) -> Path | None:
    for suffix in SUFFIXES:
        path = ROOT / f"{entry}{suffix}"
        if path.is_file():
            return path
    return None


def _notebooks() -> list[Path]:
    return sorted(
        p for p in BOOK.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts and "_build" not in p.parts
    )


NOTEBOOKS = _notebooks()


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def test_every_toc_entry_exists_once():
    entries = _toc_files()
    missing = [e for e in entries if _source(e) is None]
    assert not missing, f"_toc.yml lists pages that do not exist: {missing}"
    duplicates = sorted({e for e in entries if entries.count(e) > 1})
    assert not duplicates, f"_toc.yml lists these more than once: {duplicates}"


def test_every_notebook_is_in_the_toc_and_every_toc_notebook_exists():
    in_toc = {_source(e) for e in _toc_files()} - {None}
    on_disk = set(NOTEBOOKS)
    not_listed = sorted(str(p.relative_to(ROOT)) for p in on_disk - in_toc)
    assert not not_listed, f"notebooks missing from _toc.yml: {not_listed}"
    assert {p for p in in_toc if p.suffix == ".ipynb"} <= on_disk


def test_there_is_at_least_one_notebook():
    assert BOOK / "00-first-network.ipynb" in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    dirty = [
        i for i, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} have stored outputs; clear them "
        "(jupyter nbconvert --clear-output --inplace) before committing"
    )
    assert "widgets" not in notebook.get("metadata", {}), (
        f"{path.name} stores widget state; the static book must not load widget JavaScript"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_starts_with_the_setup_cell(path, book_config):
    cells = _cells(path)
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code cell"
    setup = code[0]
    text = _text(setup)
    tags = setup.get("metadata", {}).get("tags", [])
    assert {"remove-input", "hide-input"} & set(tags), (
        f"{path.name}: the setup cell must be tagged remove-input (hidden in the book)"
    )

    # TensorFlow is quieted before anything imports it.
    first_tf_import = re.search(r"^\s*(import|from)\s+(tensorflow|keras)\b", text, re.M)
    for var, value in (("TF_CPP_MIN_LOG_LEVEL", "3"), ("TF_ENABLE_ONEDNN_OPTS", "0")):
        match = re.search(
            rf"""os\.environ\[["']{var}["']\]\s*=\s*["']{value}["']"""
            rf"""|os\.environ\.setdefault\(\s*["']{var}["']\s*,\s*["']{value}["']\s*\)""",
            text,
        )
        assert match, f"{path.name}: the setup cell must set {var}={value}"
        if first_tf_import:
            assert match.start() < first_tf_import.start(), (
                f"{path.name}: {var} must be set before TensorFlow/Keras is imported"
            )

    # On Colab (and only there) minnet is installed from the book's own repository.
    url = book_config["repository"]["url"].rstrip("/")
    assert '"google.colab" in sys.modules' in text or "'google.colab' in sys.modules" in text
    installs = re.findall(r"%pip install[^\n]*minnet @ git\+(\S+?)[\"'\s]", text)
    assert installs == [url], (
        f"{path.name}: the Colab install must read "
        f'%pip install -q "minnet @ git+{url}" (found {installs})'
    )

    # Seeds, so the numbers on the page come out the same run after run.
    assert "keras.utils.set_random_seed(" in text or "np.random.default_rng(" in text


def test_colab_url_in_the_first_notebook_matches_the_config(book_config):
    """The canonical setup cell names the repository of _config.yml."""
    text = _text(_cells(BOOK / "00-first-network.ipynb")[0])
    assert book_config["repository"]["url"] in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_valid_nbformat(path):
    import nbformat

    nbformat.validate(nbformat.read(path, as_version=4))


# ------------------------------------------------------------------ the figure rule
# A cell that draws a figure carries
#     "mystnb": {"figure": {"name": "fig-NN-short-name", "caption": "..."},
#                "image": {"alt": "A sentence for a screen reader."}}
# and the prose refers to it by {numref}`fig-NN-short-name`. These checks read the
# metadata; tests/test_book_build.py::test_figure_rule checks the built HTML, which is
# what catches a figure cell that has no metadata at all.

FIGURE_NAME = re.compile(r"fig-(\d\d|[a-z]+)-[a-z0-9]+(-[a-z0-9]+)*")


def _figure_prefix(path: Path) -> str:
    """The chapter's two digits, or for an unnumbered appendix (book/classics.ipynb) its
    name: fig-05-eps-sweep, fig-classics-curves."""
    return path.name[:2] if path.name[:2].isdigit() else path.stem
PATH_LIKE = re.compile(r"[/\\]|_images|\.(png|jpe?g|svg|gif|webp)\b", re.IGNORECASE)


def _figure_cells(path: Path) -> list[tuple[int, dict]]:
    return [
        (i, cell.get("metadata", {}).get("mystnb", {}))
        for i, cell in enumerate(_cells(path))
        if cell["cell_type"] == "code"
        and {"figure", "image"} & set(cell.get("metadata", {}).get("mystnb", {}))
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_figure_metadata_is_complete_and_referenced(path):
    chapter = _figure_prefix(path)
    prose = "\n".join(_text(c) for c in _cells(path) if c["cell_type"] == "markdown")
    problems = []
    for i, meta in _figure_cells(path):
        figure, image = meta.get("figure", {}), meta.get("image", {})
        name = figure.get("name", "")
        match = FIGURE_NAME.fullmatch(name)
        if not match or match.group(1) != chapter:
            problems.append(f"cell {i}: figure name {name!r} should read fig-{chapter}-short-name")
        if len(str(figure.get("caption", "")).split()) < 3:
            problems.append(f"cell {i}: mystnb.figure.caption should say what to see")
        alt = str(image.get("alt", "")).strip()
        if (
            len(alt.split()) < 4
            or not alt[:1].isupper()
            or PATH_LIKE.search(alt)
            or re.search(r"[$\\`*]", alt)
        ):
            problems.append(
                f"cell {i}: mystnb.image.alt {alt[:60]!r} should be a plain sentence "
                "(no file name, no math or markdown)"
            )
        if name and f"{{numref}}`{name}`" not in prose and f"<{name}>`" not in prose:
            problems.append(f"cell {i}: the text never refers to {{numref}}`{name}`")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


GLUE_FIGURE = re.compile(r"```\{glue:figure\}[^\n]*\n(?P<body>.*?)```", re.S)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_glued_figures_have_name_alt_and_caption(path):
    """The other way to show a figure: ```{glue:figure} key, with :name:, :alt:, a caption."""
    chapter = _figure_prefix(path)
    prose = "\n".join(_text(c) for c in _cells(path) if c["cell_type"] == "markdown")
    problems = []
    for match in GLUE_FIGURE.finditer(prose):
        body = match.group("body")
        options = dict(re.findall(r"^:([\w-]+):[ \t]*(.*)$", body, re.M))
        caption = re.sub(r"^:[\w-]+:.*$", "", body, flags=re.M).strip()
        name = options.get("name", "")
        fig = FIGURE_NAME.fullmatch(name)
        if not fig or fig.group(1) != chapter:
            problems.append(f"glue:figure {name!r}: :name: should read fig-{chapter}-short-name")
        alt = options.get("alt", "").strip()
        if len(alt.split()) < 4 or PATH_LIKE.search(alt) or re.search(r"[$\\`*]", alt):
            problems.append(f"glue:figure {name!r}: :alt: should be a plain sentence")
        if len(caption.split()) < 3:
            problems.append(f"glue:figure {name!r}: the caption should say what to see")
        if name and f"{{numref}}`{name}`" not in prose and f"<{name}>`" not in prose:
            problems.append(f"glue:figure {name!r}: the text never refers to {{numref}}`{name}`")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_figure_names_are_unique_in_the_book():
    names = [
        meta["figure"]["name"]
        for path in NOTEBOOKS
        for _, meta in _figure_cells(path)
        if meta.get("figure", {}).get("name")
    ]
    for path in NOTEBOOKS:
        prose = "\n".join(_text(c) for c in _cells(path) if c["cell_type"] == "markdown")
        for match in GLUE_FIGURE.finditer(prose):
            names += re.findall(r"^:name:[ \t]*(\S+)", match.group("body"), re.M)
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"figure names used more than once: {duplicates}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_tracebacks_on_the_page_are_minimal(path):
    """A cell tagged raises-exception shows its error on the page. A hidden ``%xmode Minimal``
    cell before the first one makes the page show the error's name and message, the lesson,
    and not a traceback through minnet's files with the build machine's paths."""
    cells = _cells(path)
    code = [c for c in cells if c["cell_type"] == "code"]
    first = next((i for i, c in enumerate(code)
                  if "raises-exception" in c.get("metadata", {}).get("tags", [])), None)
    if first is None:
        return
    assert any("%xmode Minimal" in _text(c) for c in code[:first]), (
        f"{path.name}: add a code cell `%xmode Minimal`, tagged remove-cell, before the first "
        "cell tagged raises-exception"
    )
