"""The book builds strictly, and every page renders in a real browser with no network.

One module, so that pytest-xdist's ``--dist loadscope`` runs the build once and the
checks of its output on the same worker:

1. ``jupyter-book build . -W -n --keep-going --all``: any Sphinx warning (a broken
   reference, a notebook cell that raises, a missing file) fails it. Notebooks are
   executed through the jupyter-cache, so unchanged notebooks are not run again.
2. The HTML it wrote: every page of _toc.yml is there, no page loads anything from
   another host, and no TensorFlow start-up noise reached a page. Numbering: the
   chapters of the numbered parts of _toc.yml carry their number in the sidebar and in
   their title (01-neuron is "1."), their display equations read (N.1), (N.2), ... and
   every {eq} reference shows the number of the equation it points to, and figure
   captions read "Figure N.k". The figure rule: every image a notebook cell outputs is
   inside a numbered figure with a caption, and its alt text is a sentence, not a file
   path (``pytest -k figure_rule`` runs just that; one page:
   ``pytest -o addopts="" -n 0 -p no:nbval tests/test_book_build.py -k "figure_rule and 00-first"``).
3. Headless Chromium (Debian's ``chromium``, driven by playwright) opens every page
   from a server on 127.0.0.1 with every non-local request blocked, once, and records:
   that the mathematics rendered, with MathJax's assistive MathML beside every formula;
   console errors, failed requests, images that did not load; the launch buttons of
   notebook pages; axe-core's WCAG 2.1 A/AA audit (axe-playwright-python, which bundles
   axe-core: no serious or critical violation is allowed); the heading order (no
   skipped level); and that every figure is in the accessibility tree with its caption
   and alt text. Screenshots of every page go to ``_build/screenshots/``, and of every
   captioned figure to ``_build/screenshots/figures/``, for people to look at.
4. Live code (``_ext/minnet_thebe.py``): every notebook page's Thebe configuration names
   the repository, branch, BinderHub and kernel ``python3`` and loads thebe 0.9; every
   code cell offers Thebe its code (the setup cell's hidden code included); in Chromium,
   with no network, the Live Code button turns the setup cell into the first code cell.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from book_build_lock import book_build_lock

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
HTML = BUILD / "html"
SCREENSHOTS = BUILD / "screenshots"
FIGURE_SHOTS = SCREENSHOTS / "figures"
CHROMIUM = os.environ.get("MINNET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.slow

# What TensorFlow and its libraries print when they start, none of which may reach a page.
TF_NOISE = re.compile(
    r"oneDNN|TF-TRT|absl::|\babsl\b|cuda|cuDNN|cuBLAS|cuFFT|tensorflow/core|local_xla|"
    r"cpu_feature_guard|This TensorFlow binary is optimized|computation_placer|"
    r"I0000 00:00|E0000 00:00|W0000 00:00|Unable to register",
    re.IGNORECASE,
)


def _toc_entries() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    found = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for key, value in node.items():
                if key != "root":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return found


def _numbered_chapters() -> list[str]:
    """The files of the parts marked ``numbered`` in _toc.yml, in order: chapter 1, 2, ..."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    chapters = []
    for part in toc.get("parts", []):
        if part.get("numbered"):
            chapters.extend(c["file"] for c in part.get("chapters", []))
    return chapters


def _notebook_pages() -> list[str]:
    return [e for e in _toc_entries() if (ROOT / f"{e}.ipynb").is_file()]


def _jupyter_book() -> str:
    beside = Path(sys.executable).with_name("jupyter-book")
    return str(beside) if beside.exists() else (shutil.which("jupyter-book") or "jupyter-book")


@pytest.fixture(scope="module")
def build() -> subprocess.CompletedProcess:
    """Build the book once for this module; the log is kept in _build/build.log."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0")
    BUILD.mkdir(exist_ok=True)
    with book_build_lock():  # never beside the PDF build (tests/test_book_pdf.py)
        proc = subprocess.run(
            [_jupyter_book(), "build", ".", "-W", "-n", "--keep-going", "--all"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=25 * 60,
        )
    (BUILD / "build.log").write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr)
    return proc


@pytest.fixture(scope="module")
def html(build) -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail(f"the build wrote no HTML; see {BUILD / 'build.log'}\n{build.stderr[-3000:]}")
    return HTML


def _pages(html_dir: Path) -> list[Path]:
    skip = {"_static", "_sources", "_images", "_sphinx_design_static", "_panels_static"}
    return sorted(
        p for p in html_dir.rglob("*.html") if not skip & set(p.relative_to(html_dir).parts)
    )


# ------------------------------------------------------------------ the build


def test_strict_build_passes(build):
    warnings = [
        line for line in (build.stdout + build.stderr).splitlines()
        if re.search(r"\b(WARNING|ERROR)\b:", line) and "IPKernelApp" not in line
    ]
    assert build.returncode == 0 and not warnings, (
        f"jupyter-book build -W -n failed (exit {build.returncode}); full log in "
        f"{BUILD / 'build.log'}\n" + "\n".join(warnings[:40]) + "\n" + build.stderr[-4000:]
    )


def test_every_page_of_the_toc_was_built(html):
    missing = [e for e in _toc_entries() if not (html / f"{e}.html").is_file()]
    assert not missing, f"no HTML for {missing}"


def test_no_page_references_another_host_for_its_resources(html):
    """Scripts, styles, fonts, images and frames all come from the build folder.

    Links a reader may click (Binder, Colab, GitHub) are fine; Thebe's library is
    fetched only when the reader presses "Live Code", so its URL may appear in a
    script's text but never as a resource the page loads.
    """
    resource = re.compile(
        r"<(script|link|img|iframe|source|video|audio|embed)\b[^>]*?\b(src|href)\s*=\s*"
        r"[\"']((?:https?:)?//[^\"']+)[\"']",
        re.IGNORECASE,
    )
    found = {}
    for page in _pages(html):
        for match in resource.finditer(page.read_text(encoding="utf-8")):
            tag = match.group(0)
            if match.group(1).lower() == "link" and not re.search(
                r"rel=[\"'](stylesheet|preload|icon|modulepreload|prefetch)", tag
            ):
                continue  # <link rel="canonical"> and the like load nothing
            found.setdefault(str(page.relative_to(html)), []).append(match.group(3))
    assert not found, f"pages load resources from other hosts: {found}"


def test_no_tensorflow_startup_noise_on_any_page(html):
    from bs4 import BeautifulSoup

    noisy = {}
    for page in _pages(html):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for output in soup.select(".cell_output, .output"):
            text = output.get_text(" ")
            hit = TF_NOISE.search(text)
            if hit:
                noisy.setdefault(str(page.relative_to(html)), []).append(
                    text[max(0, hit.start() - 80): hit.end() + 80].strip()
                )
    assert not noisy, f"TensorFlow's start-up logs reached the page: {noisy}"


#: A path of the machine that built the book, as a traceback or a warning prints it.
MACHINE_PATH = re.compile(r"(/[\w.+-]+)+/(site-packages|src/minnet)/[\w/]+\.py")


def test_no_page_shows_the_build_machines_paths(html):
    """Outputs never show where the book was built: a traceback that a reader sees (a cell
    tagged raises-exception) is printed in IPython's Minimal mode, which names the error and
    its message only, and warnings are shown without their file and line."""
    from bs4 import BeautifulSoup

    leaks = {}
    for page in _pages(html):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for output in soup.select(".cell_output, .output"):
            text = output.get_text(" ")
            hit = MACHINE_PATH.search(text) or (str(ROOT) in text and re.search(
                re.escape(str(ROOT)), text))
            if hit:
                leaks.setdefault(str(page.relative_to(html)), []).append(
                    text[max(0, hit.start() - 60): hit.end() + 60].strip()
                )
    assert not leaks, f"pages show paths of the build machine: {leaks}"


def test_notebook_outputs_were_rendered(html):
    """The first notebook ran: its figures and its glued accuracy are on the page."""
    page = (html / "book" / "00-first-network.html").read_text(encoding="utf-8")
    assert page.count("<img") >= 2, "expected the two figures of the first notebook"
    assert re.search(r"classifies\s+(<[^>]+>)*\s*\d\d\.\d%", page), "glued accuracy missing"


# ------------------------------------------------------------------ numbering


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _text(node) -> str:
    return " ".join(node.get_text(" ", strip=True).replace("#", " ").split())


def test_chapters_are_numbered_in_the_sidebar_and_their_titles(html):
    numbered = _numbered_chapters()
    assert numbered, "no part of _toc.yml is numbered"
    problems = []
    intro = _soup(html / f"{_toc_entries()[0]}.html")
    sidebar = {
        a["href"].split("#")[0].removeprefix("book/"): _text(a)
        for a in intro.select("nav.bd-links a.reference")
    }
    for number, entry in enumerate(numbered, start=1):
        soup = _soup(html / f"{entry}.html")
        title = _text(soup.select_one("article.bd-article h1"))
        if not title.startswith(f"{number}. "):
            problems.append(f"{entry}: title {title!r} should start with '{number}. '")
        if not soup.title.get_text().startswith(f"{number}. "):
            problems.append(f"{entry}: <title> {soup.title.get_text()!r} lacks '{number}. '")
        link = sidebar.get(f"{Path(entry).name}.html", "")
        if not link.startswith(f"{number}. "):
            problems.append(f"{entry}: sidebar entry {link!r} should start with '{number}. '")
    for entry in set(_toc_entries()) - set(numbered):
        title = _text(_soup(html / f"{entry}.html").select_one("article.bd-article h1"))
        if re.match(r"\d", title):
            problems.append(f"{entry} is front or back matter but its title is {title!r}")
    assert not problems, "\n".join(problems)


def _equation_numbers(soup) -> dict[str, str]:
    """Anchor id of each numbered display equation -> its number as shown, "(5.3)"."""
    found = {}
    for eqno in soup.select("span.eqno"):
        anchor = eqno.find("a", class_="headerlink")
        number = eqno.get_text().replace("#", "").strip()
        if anchor is not None:
            found[anchor["href"].lstrip("#")] = number
    return found


def test_equations_are_numbered_per_chapter_and_references_agree(html):
    problems, seen = [], 0
    pages = {e: _soup(html / f"{e}.html") for e in _toc_entries()}
    numbers = {e: _equation_numbers(soup) for e, soup in pages.items()}
    for number, entry in enumerate(_numbered_chapters(), start=1):
        shown = list(numbers[entry].values())
        expected = [f"({number}.{k})" for k in range(1, len(shown) + 1)]
        if shown != expected:
            problems.append(f"{entry}: equations numbered {shown}, expected {expected}")
        seen += len(shown)
    for entry, soup in pages.items():
        for ref in soup.select('article.bd-article a.reference.internal[href*="#equation-"]'):
            target_page, _, anchor = ref["href"].partition("#")
            target = entry if not target_page else (
                (Path(entry).parent / target_page).as_posix().removesuffix(".html")
            )
            target = os.path.normpath(target)
            want = numbers.get(target, {}).get(anchor)
            if want is None or _text(ref) != want:
                problems.append(f"{entry}: {{eq}} link {ref['href']} shows {_text(ref)!r}, "
                                f"the equation is numbered {want!r}")
    assert seen, "no numbered equation in any chapter"
    assert not problems, "\n".join(problems[:40])


def _figure_number(entry: str) -> str:
    """"5." for chapter 5; "" on an unnumbered page, whose figures count 1, 2, ..."""
    numbered = _numbered_chapters()
    return f"{numbered.index(entry) + 1}." if entry in numbered else ""


def test_figures_are_numbered_per_chapter(html):
    problems = []
    for entry in _toc_entries():
        soup = _soup(html / f"{entry}.html")
        shown = [_text(c) for c in soup.select("figure figcaption span.caption-number")]
        prefix = _figure_number(entry)
        expected = [f"Figure {prefix}{k}" for k in range(1, len(shown) + 1)]
        if shown != expected:
            problems.append(f"{entry}: figures numbered {shown}, expected {expected}")
    assert not problems, "\n".join(problems)


PATH_LIKE = re.compile(r"[/\\]|_images|\.(png|jpe?g|svg|gif|webp)\b", re.IGNORECASE)


def _alt_problem(alt: str | None) -> str | None:
    """Why an alt text is not a sentence describing a figure, or None if it is one."""
    alt = (alt or "").strip()
    if not alt:
        return "no alt text"
    if PATH_LIKE.search(alt):
        return f"alt text {alt[:80]!r} is a file path"
    if "$" in alt or "\\" in alt or "`" in alt or "*" in alt:
        return f"alt text {alt[:80]!r} has markup (it is read aloud as plain text)"
    if len(alt.split()) < 4 or not alt[0].isupper():
        return f"alt text {alt[:80]!r} is not a sentence"
    return None


@pytest.mark.parametrize("entry", _notebook_pages())
def test_figure_rule(html, entry):
    """Every image on a notebook page is a numbered, captioned figure with real alt text.

    Set in the cell's metadata: ``"mystnb": {"figure": {"name": "fig-NN-...",
    "caption": "..."}, "image": {"alt": "..."}}``.
    """
    soup = _soup(html / f"{entry}.html")
    prefix = _figure_number(entry)
    problems = []
    images = soup.select("article.bd-article img")
    for k, img in enumerate(images, start=1):
        where = f"image {k} of the page ({img.get('src', '')[-20:]})"
        figure = img.find_parent("figure")
        caption = figure.find("figcaption") if figure is not None else None
        if caption is None:
            problems.append(f"{where}: not in a captioned figure; give the cell "
                            "mystnb.figure.name and mystnb.figure.caption metadata "
                            "(or show it with a {glue:figure} that has :name: and a caption)")
        else:
            number = caption.select_one("span.caption-number")
            text = caption.select_one("span.caption-text")
            if number is None or not re.fullmatch(rf"Figure {re.escape(prefix)}\d+",
                                                  _text(number)):
                problems.append(f"{where}: caption is not numbered 'Figure {prefix}k'")
            if text is None or len(_text(text).split()) < 3:
                problems.append(f"{where}: the caption says nothing about the figure")
        why = _alt_problem(img.get("alt"))
        if why:
            problems.append(f"{where}: {why}; set mystnb.image.alt (or :alt: of the "
                            "{glue:figure}) to a sentence")
    assert not problems, f"{entry}:\n" + "\n".join(problems)


# ------------------------------------------------------------------ the API reference
# What "public" means, and the docstring checks that need no build, are in
# tests/test_api_reference.py; here the strict build's output is held to them.

_INVENTORY_ROLES = {
    "module": ("py:module",),
    "class": ("py:class", "py:exception"),
    "function": ("py:function",),
    "data": ("py:data",),
}


@pytest.fixture(scope="module")
def inventory(html) -> dict:
    """The objects the build documented, read from objects.inv with Sphinx's own reader."""
    import posixpath

    from sphinx.util.inventory import InventoryFile

    with open(html / "objects.inv", "rb") as stream:
        return InventoryFile.load(stream, "", posixpath.join)


def test_every_public_name_is_in_the_api_reference(inventory):
    from test_api_reference import public_objects

    missing = []
    for public, kind, documented in public_objects():
        if not any(documented in inventory.get(role, {}) for role in _INVENTORY_ROLES[kind]):
            missing.append(f"{public} (as {documented})" if public != documented else public)
    assert not missing, (
        f"{len(missing)} public names are not in the API reference: {missing}. Give each an "
        "automodule on a page of book/api/ (modules) or a docstring (autodoc leaves out "
        "undocumented members)"
    )


def test_the_api_reference_shows_the_formulas(inventory, html):
    """Each building block's entry on its API page holds rendered mathematics."""
    from test_api_reference import FORMULA_NAMES, NO_FORMULA

    pages = {}
    without = []
    for public, documented in FORMULA_NAMES:
        if public in NO_FORMULA:
            continue
        role = next(r for r in ("py:class", "py:function") if documented in inventory.get(r, {}))
        uri = inventory[role][documented][2]
        page = uri.split("#", 1)[0]
        if page not in pages:
            pages[page] = _soup(html / page)
        term = pages[page].find(id=documented)
        entry = term.find_next_sibling("dd") if term is not None else None
        if entry is None or not entry.find(class_="math"):
            without.append(public)
    assert not without, f"these entries of the API reference show no formula: {without}"


# ------------------------------------------------------------------ the browser


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="module")
def served(html):
    handler = functools.partial(_QuietHandler, directory=str(html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium), "
            "or set MINNET_CHROMIUM to a Chromium binary"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def _launch_links(config: dict) -> tuple[str, str]:
    parts = urlparse(config["repository"]["url"]).path.strip("/").split("/")
    org, repo = parts[0], parts[1]
    branch = config["repository"].get("branch", "main")
    binder = f"{config['launch_buttons']['binderhub_url'].rstrip('/')}/v2/gh/{org}/{repo}/{branch}"
    colab = f"{config['launch_buttons']['colab_url'].rstrip('/')}/github/{org}/{repo}/blob/{branch}/"
    return binder, colab


WAIT_FOR_MATH = """async () => {
  const math = document.querySelectorAll('.math');
  if (math.length === 0) return {math: 0, rendered: 0, errors: 0, raw: 0};
  const start = Date.now();
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    if (Date.now() - start > 20000) return {math: math.length, rendered: 0, errors: 0, raw: -1};
    await new Promise(r => setTimeout(r, 50));
  }
  await MathJax.startup.promise;
  const raw = [...math].filter(el => !el.querySelector('mjx-container')).length;
  return {
    math: math.length,
    rendered: document.querySelectorAll('mjx-container').length,
    errors: document.querySelectorAll('mjx-merror, .MathJax_Error').length,
    raw: raw,
  };
}"""

BROKEN_IMAGES = """() => [...document.images]
  .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)"""


# axe-core's WCAG 2.1 A and AA rules, plus its best practices (heading-order among them),
# which are reported but only fail the test where named in AXE_ALSO_FAILS.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
    # axe re-fetches @import-ed stylesheets relative to the page instead of the sheet
    # (a 404 for /basic.css); the CSS it needs is already in the page.
    "preload": False,
}
AXE_DARK_OPTIONS = {
    "runOnly": {"type": "rule", "values": ["color-contrast"]},
    "resultTypes": ["violations"],
    "preload": False,
}
AXE_FAILING_IMPACTS = {"serious", "critical"}
AXE_ALSO_FAILS = {"heading-order"}

# Headings of the page's content in document order; a level may rise by one at a time.
HEADINGS = """() => [...document.querySelectorAll(
    'main h1, main h2, main h3, main h4, main h5, main h6')]
  .filter(h => h.getClientRects().length > 0 || h.closest('details'))
  .map(h => [Number(h.tagName[1]), h.textContent.replace('#', '').trim().slice(0, 60)])"""

# MathJax 3's configuration and its hidden MathML copies, read by screen readers.
ASSISTIVE_MATH = """() => ({
  config: !!(window.MathJax && MathJax.config && MathJax.config.options
             && MathJax.config.options.enableAssistiveMml),
  document: !!(window.MathJax && MathJax.startup && MathJax.startup.document
               && MathJax.startup.document.options.enableAssistiveMml),
  containers: document.querySelectorAll('mjx-container').length,
  assistive: document.querySelectorAll('mjx-container > mjx-assistive-mml').length,
  mathml: document.querySelectorAll('mjx-assistive-mml math').length,
})"""

# Every figure in the content: exposed to assistive technology (not aria-hidden, not
# display:none unless folded in a toggle a keyboard can open), with alt and caption.
FIGURES = """() => [...document.querySelectorAll('main figure')].map((fig, k) => {
  const img = fig.querySelector('img');
  const cap = fig.querySelector('figcaption');
  const folded = fig.closest('details, .toggle-hidden, .cell.tag_hide-output');
  return {
    id: fig.id || ('figure-' + k),
    img: !!img,
    alt: img ? img.getAttribute('alt') : null,
    caption: cap ? cap.textContent.replace('#', '').trim() : '',
    hidden: !!fig.closest('[aria-hidden="true"]'),
    visible: fig.getClientRects().length > 0,
    folded: !!folded,
  };
})"""


def _audit_page(page, name, notebook_pages, binder, colab, axe) -> dict:
    """Everything the browser tests check on one loaded page."""
    found = {"issues": [], "axe": [], "headings": [], "math": None, "figures": []}
    math = page.evaluate(WAIT_FOR_MATH)
    if math["math"]:
        if math["raw"] != 0 or math["rendered"] < 1:
            found["issues"].append(f"math not rendered: {math}")
        if math["errors"]:
            found["issues"].append(f"{math['errors']} MathJax errors")
        found["math"] = page.evaluate(ASSISTIVE_MATH)
    page.wait_for_load_state("networkidle")
    found["issues"].extend(f"image did not load: {src}" for src in page.evaluate(BROKEN_IMAGES))

    if name in notebook_pages:
        for what, selector in (
            ("Binder", f'a[href^="{binder}"]'),
            ("Colab", f'a[href^="{colab}"]'),
            ("Live Code (Thebe)", ".btn-launch-thebe, .thebe-launch-button"),
        ):
            if page.locator(selector).count() == 0:
                found["issues"].append(f"no {what} launch button")

    results = axe.run(page, options=AXE_OPTIONS).response
    for violation in results["violations"]:
        wcag = any(tag.startswith("wcag") for tag in violation["tags"])
        if (wcag and violation["impact"] in AXE_FAILING_IMPACTS) or (
            violation["id"] in AXE_ALSO_FAILS
        ):
            node = violation["nodes"][0]
            found["axe"].append(
                f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} "
                f"elements), e.g. {node['target']}: {node.get('failureSummary', '')[:200]}"
            )

    levels = page.evaluate(HEADINGS)
    for (before, _), (level, text) in zip(levels, levels[1:]):
        if level > before + 1:
            found["headings"].append(f"h{before} is followed by h{level} ({text!r})")
    if levels and levels[0][0] != 1:
        found["headings"].append(f"the first heading is h{levels[0][0]}, not h1")

    stem = name.replace("/", "__").removesuffix(".html")
    for figure in page.evaluate(FIGURES):
        if figure["hidden"] or not (figure["visible"] or figure["folded"]):
            figure["problem"] = "hidden from assistive technology"
        elif not figure["caption"] or not figure["img"] or not (figure["alt"] or "").strip():
            figure["problem"] = "no caption or no alt text"
        elif figure["visible"]:
            FIGURE_SHOTS.mkdir(parents=True, exist_ok=True)
            locator = page.locator(f'figure[id="{figure["id"]}"]')
            if figure["id"] and locator.count() == 1:
                locator.screenshot(path=str(FIGURE_SHOTS / f"{stem}__{figure['id']}.png"))
        found["figures"].append(figure)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{stem}.png"), full_page=True)

    # The same page in the theme's dark mode (the reader's choice, or their system's):
    # colour contrast again, without reloading.
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    page.wait_for_timeout(500)  # let the theme's colour transitions finish
    dark = axe.run(page, options=AXE_DARK_OPTIONS).response
    for violation in dark["violations"]:
        node = violation["nodes"][0]
        found["axe"].append(
            f"dark mode: {violation['id']} ({violation['impact']}, {len(violation['nodes'])} "
            f"elements), e.g. {node['target']}: {node.get('failureSummary', '')[:200]}"
        )
    return found


@pytest.fixture(scope="module")
def audit(html, served, browser, book_config) -> dict[str, dict]:
    """Open every built page once in Chromium and record what the browser tests check."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    notebook_pages = {f"{e}.html" for e in _notebook_pages()}
    binder, colab = _launch_links(book_config)
    audited: dict[str, dict] = {}

    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def only_local(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", only_local)
    try:
        for path in _pages(html):
            name = path.relative_to(html).as_posix()
            events: list[str] = []
            page = context.new_page()
            page.on(
                "console",
                lambda m, events=events: m.type == "error" and events.append(f"console: {m.text}"),
            )
            page.on("pageerror", lambda e, events=events: events.append(f"page error: {e}"))
            page.on(
                "requestfailed",
                lambda r, events=events: events.append(f"request failed: {r.url} ({r.failure})"),
            )
            page.on(
                "response",
                lambda r, events=events: r.status >= 400
                and events.append(f"HTTP {r.status}: {r.url}"),
            )
            page.goto(served + name, wait_until="networkidle", timeout=60_000)
            found = _audit_page(page, name, notebook_pages, binder, colab, axe)
            found["issues"] = events + found["issues"]
            audited[name] = found
            page.close()
    finally:
        context.close()
    return audited


def test_every_page_renders_offline_in_chromium(audit):
    problems = {name: found["issues"] for name, found in audit.items() if found["issues"]}
    assert not problems, f"pages with problems (screenshots in {SCREENSHOTS}): {problems}"
    assert any(found["math"] for found in audit.values()), (
        "no page had mathematics to check (the notation page has)"
    )
    assert _notebook_pages(), "no notebook page to check the launch buttons on"


def test_no_serious_accessibility_violation_on_any_page(audit):
    """axe-core, WCAG 2.1 A and AA: no serious or critical violation, and no skipped heading."""
    problems = {name: found["axe"] for name, found in audit.items() if found["axe"]}
    assert not problems, "axe-core found, per page:\n" + "\n".join(
        f"{name}: {v}" for name, vs in problems.items() for v in vs
    )


def test_headings_never_skip_a_level(audit):
    problems = {name: found["headings"] for name, found in audit.items() if found["headings"]}
    assert not problems, f"headings that skip a level: {problems}"


def test_math_is_readable_by_assistive_technology(audit):
    """MathJax 3 renders a hidden MathML copy (<mjx-assistive-mml>) of every formula."""
    pages = {name: found["math"] for name, found in audit.items() if found["math"]}
    assert pages, "no page with mathematics was checked"
    problems = {
        name: math for name, math in pages.items()
        if not (math["config"] and math["document"])
        or math["assistive"] != math["containers"]
        or math["mathml"] != math["containers"]
    }
    assert not problems, (
        "assistive MathML is off or missing (mathjax3_config.options.enableAssistiveMml in "
        f"_config.yml): {problems}"
    )


def test_every_figure_is_exposed_with_its_caption_and_alt_text(audit):
    """A static figure (a widget's twin included) is in the accessibility tree, described."""
    problems = {
        name: [f"{f['id']}: {f['problem']}" for f in found["figures"] if f.get("problem")]
        for name, found in audit.items()
    }
    problems = {name: p for name, p in problems.items() if p}
    assert not problems, f"figures a screen-reader user cannot reach or hear: {problems}"


# ------------------------------------------------------------------ glossary, index, search
# book/glossary.md in the built HTML: every term is in the general index (genindex.html,
# which the glossary page links to), every link of a definition lands on an id that exists,
# and the offline search (Sphinx's searchindex.js) finds every term, on the glossary page
# and on the page of the chapter that defines it. The entries themselves are checked
# without a build in tests/test_glossary.py.


def _glossary_terms(html_dir: Path) -> list[dict]:
    """Every term on the glossary page: its id, its text, the links of its definition."""
    soup = _soup(html_dir / "book" / "glossary.html")
    terms = []
    for dt in soup.select("dl.glossary > dt"):
        for link in dt.select("a.headerlink"):
            link.decompose()
        dd = dt.find_next_sibling("dd")
        terms.append({
            "id": dt["id"],
            "text": " ".join(dt.get_text(" ", strip=True).split()),
            "links": [a["href"] for a in dd.select("a[href]")],
        })
    return terms


def _search_index(html_dir: Path) -> dict:
    import json

    text = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1: text.rindex(")")])


def test_glossary_terms_are_in_the_general_index(html):
    terms = _glossary_terms(html)
    assert len(terms) >= 60, f"only {len(terms)} glossary terms were built"
    index = _soup(html / "genindex.html")
    listed = {a["href"]: _text(a) for a in index.select("a[href]")}
    missing = [
        t["text"] for t in terms
        if listed.get(f"book/glossary.html#{t['id']}", "").lower() != t["text"].lower()
    ]
    assert not missing, f"glossary terms missing from genindex.html: {missing}"
    glossary = _soup(html / "book" / "glossary.html")
    body = glossary.select_one("main") or glossary
    assert any(a["href"].endswith("genindex.html") for a in body.select("a[href]")), (
        "the glossary page does not link to the general index"
    )


def test_glossary_links_land_on_existing_sections(html):
    from urllib.parse import urljoin

    base = "book/glossary.html"
    ids: dict[str, set[str]] = {}
    broken = []
    for term in _glossary_terms(html):
        for href in term["links"]:
            if re.match(r"[a-z]+:", href):
                continue
            target = urljoin(base, href)
            page, _, anchor = target.partition("#")
            if page not in ids:
                path = html / page
                ids[page] = (
                    {tag["id"] for tag in _soup(path).select("[id]")} if path.is_file() else set()
                )
            if not (html / page).is_file() or (anchor and anchor not in ids[page]):
                broken.append(f"{term['text']}: {href}")
    assert not broken, f"glossary links that lead nowhere: {broken}"


def test_search_index_finds_every_glossary_term(html):
    """Searching a term's words finds the glossary page and the defining chapter.

    This follows Sphinx's searchtools.js: a query is split into words, stop words are
    dropped, the rest stemmed (Porter); a page is found when it holds every stem longer than
    two letters, in ``terms`` (text) or ``titleterms`` (titles), exactly or, when the exact
    stem is not indexed at all, as part of an indexed word. A whole term also matches its
    entry in ``indexentries``, which puts the glossary entry itself among the results.
    """
    from sphinx.search.en import SearchEnglish

    language = SearchEnglish({})
    index = _search_index(html)
    docnames = index["docnames"]
    glossary = docnames.index("book/glossary")

    def pages(stem: str) -> set[int]:
        found = set()
        for table in ("terms", "titleterms"):
            keys = [stem] if stem in index[table] else [k for k in index[table] if stem in k]
            for key in keys:
                hit = index[table][key]
                found.update([hit] if isinstance(hit, int) else hit)
        return found

    problems = []
    for term in _glossary_terms(html):
        entries = index["indexentries"].get(term["text"].lower(), [])
        if not any(e[0] == glossary and e[1] == term["id"] for e in entries):
            problems.append(f"{term['text']}: not in the search's index entries")
        stems = [
            language.stem(word.lower()) for word in language.split(term["text"])
            if language.word_filter(word.lower()) and len(language.stem(word.lower())) > 2
        ]
        # The first section link of the definition is the page that defines the term.
        chapters = [
            "book/" + href.split("#")[0].removesuffix(".html")
            for href in term["links"]
            if re.match(r"[\w-]+\.html#", href)
        ]
        for stem in stems:
            if glossary not in pages(stem):
                problems.append(f"{term['text']}: {stem!r} does not lead to the glossary")
            if chapters and docnames.index(chapters[0]) not in pages(stem):
                problems.append(f"{term['text']}: {stem!r} does not lead to {chapters[0]}")
    assert not problems, "the search does not find these terms:\n" + "\n".join(problems)


GLOSSARY_SEARCHES = ["vanishing gradient", "Glorot initialization", "update-to-weight ratio",
                     "dead ReLU", "k-fold cross-validation"]


def test_search_box_shows_the_glossary_for_a_term(html, served, browser):
    """Type a term into the search box of a chapter page: the glossary entry is a result."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(
        "**/*",
        lambda route: route.continue_()
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost")
        else route.abort("blockedbyclient"),
    )
    missing = {}
    try:
        page = context.new_page()
        for query in GLOSSARY_SEARCHES:
            page.goto(served + "book/05-backprop.html", wait_until="networkidle")
            page.locator("button.search-button__button:visible").first.click()
            box = page.locator("#pst-search-dialog input[type=search]")
            box.fill(query)
            box.press("Enter")
            page.wait_for_url("**/search.html?q=*")
            page.wait_for_function(
                "() => /Search finished/.test("
                "(document.querySelector('#search-results') || {}).innerText || '')",
                timeout=30_000,
            )
            hrefs = page.eval_on_selector_all(
                "#search-results a", "links => links.map(a => a.getAttribute('href'))"
            )
            if not any("glossary.html#term-" in (h or "") for h in hrefs):
                missing[query] = hrefs[:5]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "search-glossary-term.png"))
    finally:
        context.close()
    assert not missing, f"the search box did not show the glossary entry for: {missing}"


# ------------------------------------------------------------------ live code (Thebe)
# _ext/minnet_thebe.py: the page's Thebe configuration names the repository, branch,
# BinderHub and kernel; every code cell is there for Thebe; each remove-input cell (the
# setup cell) carries its code, inert, and becomes the first cell Thebe runs.

THEBE_CELL = "text/x-minnet-thebe-cell"


def _thebe_config(soup) -> dict[str, str]:
    scripts = soup.select('script[type="text/x-thebe-config"]')
    assert len(scripts) == 1, f"{len(scripts)} Thebe configurations on the page"
    text = scripts[0].get_text()
    return {key: value for key, value in re.findall(r"(\w+):\s*\"([^\"]*)\"", text)}


def test_live_code_configuration_on_every_notebook_page(html, book_config):
    import json

    import nbformat

    url = urlparse(book_config["repository"]["url"]).path.strip("/")
    expected = {
        "repo": url,
        "ref": book_config["repository"].get("branch", "main"),
        "binderUrl": book_config["launch_buttons"]["binderhub_url"].rstrip("/"),
        "name": "python3",        # thebe 0.8 reads kernelOptions.name,
        "kernelName": "python3",  # thebe 0.9 kernelOptions.kernelName
    }
    problems = {}
    for entry in _notebook_pages():
        soup = _soup(html / f"{entry}.html")
        found = []
        config = _thebe_config(soup)
        found += [f"{k}={config.get(k)!r}, expected {v!r}" for k, v in expected.items()
                  if config.get(k) != v]
        inline = " ".join(s.get_text() for s in soup.select("script:not([src])"))
        if not re.search(r'THEBE_JS_URL = "https://unpkg\.com/thebe@0\.9\.\d+/lib/index\.js"', inline):
            found.append("THEBE_JS_URL does not name thebe 0.9 (ipywidgets 8's widget manager)")
        sources = {s.get("src", "").split("?")[0].rsplit("/", 1)[-1] for s in soup.select("script[src]")}
        found += [f"{js} not loaded" for js in ("sphinx-thebe.js", "minnet-thebe.js") if js not in sources]
        # every code cell offers Thebe its code: a <pre>, or the hidden source of a remove-input cell
        cells = soup.select("div.cell")
        assert cells, f"{entry}: no code cell"
        bare = [c.get("class") for c in cells
                if not c.select_one(f"pre, script[type='{THEBE_CELL}']")]
        if bare:
            found.append(f"{len(bare)} code cells without code for Thebe: {bare[:3]}")
        nb = nbformat.read(ROOT / f"{entry}.ipynb", as_version=4)
        hidden = [c.source for c in nb.cells if c.cell_type == "code"
                  and "remove-input" in c.metadata.get("tags", [])
                  and "remove-output" not in c.metadata.get("tags", [])]
        on_page = [json.loads(s.get_text()) for s in soup.select(f'script[type="{THEBE_CELL}"]')]
        if on_page != hidden:
            found.append(f"hidden cells on the page {len(on_page)} != remove-input cells {len(hidden)}"
                         " (or their code differs)")
        if found:
            problems[entry] = found
    assert not problems, problems


def test_live_code_button_prepares_the_page_in_chromium(served, browser):
    """Offline, pressing Live Code turns the setup cell into the page's first code cell, gives
    every code cell an output area, and asks the configured thebe for its script and style.
    No kernel can start here: the request for thebe is refused, so thebe itself never runs
    (a run against a local Jupyter server is described in README, "On Binder")."""
    page_name = f"{_notebook_pages()[1]}.html"
    context = browser.new_context()
    asked = []

    def only_local(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", only_local)
    try:
        page = context.new_page()
        page.goto(served + page_name, wait_until="networkidle", timeout=60_000)
        assert page.locator(f'script[type="{THEBE_CELL}"]').count() >= 1
        page.locator(".btn-launch-thebe, .thebe-launch-button").first.evaluate("b => b.click()")
        page.wait_for_function(
            "() => document.querySelector('.minnet-thebe-init > pre') !== null", timeout=20_000)
        state = page.evaluate("""(hiddenType) => {
            const cells = [...document.querySelectorAll('div.cell')];
            return {
              first: cells.find(c => c.querySelector('pre')).classList.contains('minnet-thebe-init'),
              hidden_left: document.querySelectorAll(`script[type="${hiddenType}"]`).length,
              without_code: cells.filter(c => !c.querySelector('pre')).length,
              without_output: cells.filter(c => !c.querySelector('.cell_output, .output')).length,
            };
        }""", THEBE_CELL)
        assert state == {"first": True, "hidden_left": 0, "without_code": 0,
                         "without_output": 0}, state
        page.wait_for_timeout(1000)
        assert any(re.match(r"https://unpkg\.com/thebe@0\.9\.\d+/lib/index\.js", u) for u in asked), asked
        assert any(u.endswith("/thebe.css") for u in asked), "thebe's stylesheet was not asked for"
    finally:
        context.close()


# ------------------------------------------------------------------ self-checks
# "Check yourself" at the end of chapters 1-10: every answer is a plain HTML
# <details class="selfcheck"> whose <summary> is the option and whose first paragraph, the
# feedback, starts with "Right:" or "Not quite:" (tests/test_selfchecks.py checks the
# notebooks). No JavaScript: the browser opens an answer on a click, or on Enter or Space.

SELFCHECK_PAGE = "book/05-backprop"  # the page the browser test answers questions on


def _selfcheck_section(soup):
    return soup.select_one("article.bd-article section#check-yourself")


@pytest.mark.parametrize("entry", _numbered_chapters())
def test_selfcheck_is_rendered_with_its_feedback_and_mathematics(html, entry):
    """MyST rendered the feedback inside each <details> as markdown: a paragraph that starts
    with a bold "Right:" or "Not quite:", with its mathematics as MathJax input and its
    equation links resolved; the option texts are plain text."""
    section = _selfcheck_section(_soup(html / f"{entry}.html"))
    assert section is not None, f"{entry}: no section 'Check yourself'"
    questions = [p for p in section.find_all("p", recursive=False)
                 if _text(p).startswith("Question ")]
    answers = section.select("details.selfcheck")
    problems = []
    if len(questions) < 3:
        problems.append(f"{len(questions)} questions")
    for k, details in enumerate(answers, start=1):
        summary = details.find("summary")
        feedback = details.find("p")
        verdict = feedback.find("strong") if feedback is not None else None
        if summary is None or not _text(summary):
            problems.append(f"answer {k} has no option text")
        elif re.search(r"[$`\\]", summary.get_text()):
            problems.append(f"answer {k}: markup shown as text in {_text(summary)!r}")
        if verdict is None or _text(verdict) not in ("Right:", "Not quite:"):
            problems.append(f"answer {k} ({_text(summary)[:30]!r}): feedback not rendered "
                            "as a paragraph starting with bold Right:/Not quite:")
        elif "$" in details.get_text():
            problems.append(f"answer {k}: a '$' was not rendered as mathematics")
    rights = sum(_text(d.find("p").find("strong")) == "Right:" for d in answers
                 if d.find("p") is not None and d.find("p").find("strong") is not None)
    if rights != len(questions):
        problems.append(f"{rights} right answers for {len(questions)} questions")
    assert not problems, f"{entry}:\n" + "\n".join(problems)


# checkVisibility(): Chromium keeps a closed <details>'s content laid out but skipped
# (content-visibility: hidden), so getClientRects() alone would call it visible.
FEEDBACK_STATE = """details => ({
  open: details.open,
  visible: !!details.querySelector(':scope > p')
           && details.querySelector(':scope > p').checkVisibility(),
  text: details.querySelector(':scope > p')
        ? details.querySelector(':scope > p').innerText.trim() : '',
})"""


def _verdict(details) -> str:
    """"Right" or "Not quite", read from an answer's feedback in the DOM (open or not)."""
    text = details.evaluate("d => d.querySelector(':scope > p').textContent.trim()")
    return "Right" if text.startswith("Right:") else "Not quite"


def _tab_to(page, target, limit=60) -> int:
    """Press Tab until ``target`` has the keyboard focus; the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return presses
    raise AssertionError(f"{limit} presses of Tab never reached {target.inner_text()!r}")


@pytest.fixture(scope="module")
def selfcheck_page(html, served, browser):
    """The page of SELFCHECK_PAGE in Chromium, every request recorded (non-local ones
    blocked), MathJax done; yields (page, hosts of all requests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    hosts: list[str] = []
    context.on("request", lambda r: hosts.append(urlparse(r.url).hostname or ""))

    def only_local(route):
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", only_local)
    page = context.new_page()
    try:
        page.goto(served + f"{SELFCHECK_PAGE}.html", wait_until="networkidle", timeout=60_000)
        page.evaluate(WAIT_FOR_MATH)
        yield page, hosts
    finally:
        context.close()


def test_selfcheck_answers_open_with_the_mouse(selfcheck_page):
    page, _ = selfcheck_page
    answers = page.locator("section#check-yourself details.selfcheck")
    first = [answers.nth(k) for k in range(answers.count())]
    # The answers of question 1: those before the first answer of question 2 ("A." again).
    letters = [d.locator("summary").inner_text().strip()[:2] for d in first]
    first = first[: letters.index("A.", 1)] if "A." in letters[1:] else first
    wrong = next(d for d in first if _verdict(d) == "Not quite")
    right = next(d for d in first if _verdict(d) == "Right")
    for details in (wrong, right):
        state = details.evaluate(FEEDBACK_STATE)
        assert not state["open"] and not state["visible"], "an answer starts open"
    wrong.locator("summary").click()
    state = wrong.evaluate(FEEDBACK_STATE)
    assert state["open"] and state["visible"] and state["text"].startswith("Not quite:"), state
    right.locator("summary").click()
    state = right.evaluate(FEEDBACK_STATE)
    assert state["open"] and state["visible"] and state["text"].startswith("Right:"), state
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("section#check-yourself").screenshot(
        path=str(SCREENSHOTS / "selfcheck__mouse.png"))
    for details in (wrong, right):  # leave the page as it was found
        details.locator("summary").click()


def test_selfcheck_answers_open_with_the_keyboard(selfcheck_page):
    """Tab reaches every option of a question in order; Enter opens one, Enter again
    closes it, and Space works as well."""
    page, _ = selfcheck_page
    answers = page.locator("section#check-yourself details.selfcheck")
    letters = [answers.nth(k).locator("summary").inner_text().strip()[:2]
               for k in range(answers.count())]
    starts = [k for k, letter in enumerate(letters) if letter == "A."]
    assert len(starts) >= 2, f"expected several questions, options lettered {letters}"
    q2 = list(range(starts[1], starts[2] if len(starts) > 2 else len(letters)))
    # Start from the last option of question 1, as a reader who has just answered it.
    answers.nth(starts[1] - 1).locator("summary").focus()
    wrong = next(k for k in q2 if _verdict(answers.nth(k)) == "Not quite")
    right = next(k for k in q2 if _verdict(answers.nth(k)) == "Right")
    for k, key in sorted(((wrong, "Enter"), (right, " "))):  # in the order Tab reaches them
        details = answers.nth(k)
        _tab_to(page, details.locator("summary"))
        page.keyboard.press("Enter" if key == "Enter" else "Space")
        state = details.evaluate(FEEDBACK_STATE)
        want = "Right:" if k == right else "Not quite:"
        assert state["open"] and state["visible"] and state["text"].startswith(want), (
            f"{key!r} on {letters[k]}: {state}")
        if k == wrong:
            page.keyboard.press("Enter")
            assert not details.evaluate(FEEDBACK_STATE)["open"], "Enter did not close it"
            page.keyboard.press("Enter")  # and open it again for the screenshot
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("section#check-yourself").screenshot(
        path=str(SCREENSHOTS / "selfcheck__keyboard.png"))


def test_selfcheck_page_loads_nothing_from_another_host(selfcheck_page):
    _, hosts = selfcheck_page
    others = sorted({h for h in hosts if h not in ("127.0.0.1", "localhost")})
    assert hosts, "no request was recorded"
    assert not others, f"the page requested resources from {others}"


def test_selfcheck_is_accessible_with_every_answer_open(selfcheck_page):
    """axe-core, WCAG 2.1 A and AA, on the self-check with every answer open, in the light
    and the dark theme. (The whole page, answers closed, is audited with every other page
    by test_no_serious_accessibility_violation_on_any_page; axe skips hidden content, so a
    closed answer's feedback is audited only here.)"""
    from axe_playwright_python.sync_playwright import Axe

    page, _ = selfcheck_page
    page.evaluate("""() => document.querySelectorAll('details.selfcheck')
                        .forEach(d => { d.open = true; })""")
    axe, problems = Axe(), []
    for theme, options in (("light", AXE_OPTIONS), ("dark", AXE_DARK_OPTIONS)):
        page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
        page.wait_for_timeout(500)
        results = axe.run(page, context="section#check-yourself", options=options)
        for violation in results.response["violations"]:
            wcag = any(tag.startswith("wcag") for tag in violation["tags"])
            if (wcag and violation["impact"] in AXE_FAILING_IMPACTS) or (
                violation["id"] in AXE_ALSO_FAILS
            ):
                node = violation["nodes"][0]
                problems.append(f"{theme}: {violation['id']} ({violation['impact']}, "
                                f"{len(violation['nodes'])} elements), e.g. {node['target']}")
    page.evaluate("document.documentElement.dataset.theme = 'light'")
    page.evaluate("""() => document.querySelectorAll('details.selfcheck')
                        .forEach(d => { d.open = false; })""")
    assert not problems, "axe-core, answers open:\n" + "\n".join(problems)
