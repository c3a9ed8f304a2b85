"""The book builds as a PDF with Debian's XeLaTeX, and the PDF holds the whole book.

``jupyter-book build . --builder pdflatex -W -n --keep-going --path-output _build/pdf``
writes ``_build/pdf/_build/latex/book.pdf`` (the README's PDF command writes
``_build/latex/book.pdf``; this folder is the test's own, so the HTML build's Sphinx
environment is never replaced by the LaTeX one). The notebooks are not executed a second
time: the PDF build reads the strict HTML build's execution cache, ``_build/.jupyter_cache``
(a link to it stands where the PDF build looks for its cache), and the two builds never run
at once (``book_build_lock``), so under pytest-xdist whichever comes second finds every
notebook executed.

Checked in the PDF: every page of _toc.yml is there by its title, the chapters of the
numbered parts carry the HTML's numbers (book/01-neuron is chapter 1, its figures
"Figure 1.1", ...), no reference is left unresolved ("??" in the text, "undefined" in the
LaTeX log), no character is missing from the fonts, every figure of the notebooks is an
image in the PDF, with its caption, and none is too tall for its page.

Needs Debian's ``latexmk texlive-xetex texlive-fonts-recommended fonts-freefont-otf
poppler-utils`` (README, command 1b); without them the tests skip and say so, unless
``MINNET_REQUIRE_PDF=1`` (set by .ci/run), where they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from book_build_lock import book_build_lock

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"
OUT = ROOT / "_build" / "pdf"
LATEX = OUT / "_build" / "latex"
PDF = LATEX / "book.pdf"
TOOLS = ("xelatex", "latexmk", "pdftotext", "pdfimages")
APT = "latexmk texlive-xetex texlive-fonts-recommended fonts-freefont-otf poppler-utils"

pytestmark = pytest.mark.slow


def _jupyter_book() -> str:
    beside = Path(sys.executable).with_name("jupyter-book")
    return str(beside) if beside.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def _toc() -> dict:
    return yaml.safe_load((ROOT / "_toc.yml").read_text())


def _title(entry: str) -> str:
    """A page's title: its first level-1 heading, without markup."""
    path = ROOT / f"{entry}.ipynb"
    if path.is_file():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = (ROOT / f"{entry}.md").read_text(encoding="utf-8")
    heading = next(line for line in text.splitlines() if line.startswith("# "))
    return heading[2:].replace("`", "").strip()


def _pages() -> list[tuple[str, int | None]]:
    """Every page of _toc.yml after the root, with its chapter number (None: unnumbered)."""
    pages, number = [], 0
    for part in _toc().get("parts", []):
        for chapter in part.get("chapters", []):
            if part.get("numbered"):
                number += 1
                pages.append((chapter["file"], number))
            else:
                pages.append((chapter["file"], None))
    return pages


def _figure_cells(entry: str) -> int:
    path = ROOT / f"{entry}.ipynb"
    if not path.is_file():
        return 0
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return sum(
        1
        for c in cells
        if c["cell_type"] == "code" and "figure" in c.get("metadata", {}).get("mystnb", {})
    )


def _words(text: str) -> str:
    """A title as a pattern that lets the PDF break its line anywhere between words."""
    return r"\s+".join(re.escape(word) for word in text.split())


@pytest.fixture(scope="module")
def pdf_build() -> subprocess.CompletedProcess:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = (
            f"the PDF needs {', '.join(missing)}: sudo apt-get install -y "
            f"--no-install-recommends {APT}"
        )
        if os.environ.get("MINNET_REQUIRE_PDF") == "1":
            pytest.fail(message + " (MINNET_REQUIRE_PDF=1 is set)")
        pytest.skip(message)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0")
    with book_build_lock():
        CACHE.mkdir(parents=True, exist_ok=True)
        if LATEX.exists():
            shutil.rmtree(LATEX)  # no PDF, log or aux file of an earlier build survives
        link = OUT / "_build" / ".jupyter_cache"
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.is_symlink():
            if link.exists():
                shutil.rmtree(link)
            link.symlink_to(CACHE, target_is_directory=True)
        proc = subprocess.run(
            [
                _jupyter_book(),
                "build",
                ".",
                "--builder",
                "pdflatex",
                "-W",
                "-n",
                "--keep-going",
                "--path-output",
                str(OUT),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=20 * 60,
        )
    (OUT / "build.log").write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr)
    return proc


@pytest.fixture(scope="module")
def pdf(pdf_build) -> Path:
    if pdf_build.returncode != 0 or not PDF.is_file():
        pytest.fail(
            f"the PDF build failed (exit {pdf_build.returncode}); log in {OUT / 'build.log'}, "
            f"LaTeX's in {LATEX / 'book.log'}\n{pdf_build.stdout[-3000:]}\n{pdf_build.stderr[-3000:]}"
        )
    return PDF


@pytest.fixture(scope="module")
def text(pdf) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return out.stdout


@pytest.fixture(scope="module")
def latex_log(pdf) -> str:
    """LaTeX's log with its lines joined again (TeX breaks them at 79 characters)."""
    log = (LATEX / "book.log").read_text(encoding="utf-8", errors="replace")
    return re.sub(r"(?m)^(.{79})\n", r"\1", log)


def test_pdf_build_passes_strict(pdf_build, pdf):
    warnings = [
        line
        for line in (pdf_build.stdout + pdf_build.stderr).splitlines()
        if re.search(r"\b(WARNING|ERROR)\b:", line) and "IPKernelApp" not in line
    ]
    assert not warnings, "\n".join(warnings[:40])


def test_every_page_of_the_toc_is_in_the_pdf_with_its_chapter_number(text):
    flat = " ".join(text.split())
    missing, unnumbered = [], []
    for entry, number in _pages():
        title = _title(entry)
        if not re.search(_words(title), flat, re.IGNORECASE):
            missing.append(title)
        elif number is not None and not re.search(rf"(?<![\d.]){number}\s+{_words(title)}", flat):
            unnumbered.append(f"{number} {title}")
    assert not missing, f"titles of _toc.yml pages not in the PDF's text: {missing}"
    assert not unnumbered, f"chapters without their HTML number in the PDF's contents: {unnumbered}"


def test_figures_are_images_numbered_per_chapter(pdf, text):
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    images = sum(1 for line in listing if line.split()[2] == "image")
    expected = sum(_figure_cells(entry) for entry, _ in _pages())
    assert images >= expected, f"{images} images in the PDF for {expected} figure cells"
    flat = " ".join(text.split())
    absent = []
    for entry, number in _pages():
        for k in range(1, _figure_cells(entry) + 1):
            caption = f"Figure {number}.{k}:" if number else f"Figure {k}:"
            if caption not in flat:
                absent.append(f"{entry}: {caption}")
    assert not absent, f"figure captions missing from the PDF: {absent}"


def test_no_unresolved_reference(text, latex_log):
    undefined = sorted(set(re.findall(r"[Rr]eference `([^']+)' on page \d+ undefined", latex_log)))
    assert not undefined, f"LaTeX could not resolve: {undefined}"
    assert "There were undefined references" not in latex_log
    lines = [line for line in text.splitlines() if "??" in line]
    assert not lines, f"'??' in the PDF's text: {lines[:10]}"


def test_no_figure_is_too_large_for_its_page(latex_log):
    too_large = re.findall(r"Float too large for page by [\d.]+pt on input line \d+", latex_log)
    assert not too_large, f"figures running into the page's footer (book.tex): {too_large}"


def test_no_character_is_missing_from_the_fonts(latex_log):
    missing = sorted(set(re.findall(r"Missing character: There is no (.+?) in font", latex_log)))
    assert not missing, f"characters the PDF's fonts do not have: {missing}"
