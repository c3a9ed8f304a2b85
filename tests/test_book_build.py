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
