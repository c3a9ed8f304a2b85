"""The book builds strictly, and every page renders in a real browser with no network.

One module, so that pytest-xdist's ``--dist loadscope`` runs the build once and the
checks of its output on the same worker:

1. ``jupyter-book build . -W -n --keep-going --all``: any Sphinx warning (a broken
   reference, a notebook cell that raises, a missing file) fails it. Notebooks are
   executed through the jupyter-cache, so unchanged notebooks are not run again.
2. The HTML it wrote: every page of _toc.yml is there, no page loads anything from
   another host, and no TensorFlow start-up noise reached a page.
3. Headless Chromium (Debian's ``chromium``, driven by playwright) opens every page
   from a server on 127.0.0.1 with every non-local request blocked, and checks that the
   mathematics rendered, that no console error or failed request happened, that images
   loaded, and that notebook pages carry their launch buttons. Screenshots of every page
   go to ``_build/screenshots/`` for people to look at.
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


def test_notebook_outputs_were_rendered(html):
    """The first notebook ran: its figures and its glued accuracy are on the page."""
    page = (html / "book" / "00-first-network.html").read_text(encoding="utf-8")
    assert page.count("<img") >= 2, "expected the two figures of the first notebook"
    assert re.search(r"classifies\s+(<[^>]+>)*\s*\d\d\.\d%", page), "glued accuracy missing"


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


def test_every_page_renders_offline_in_chromium(html, served, browser, book_config):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    notebook_pages = {f"{e}.html" for e in _notebook_pages()}
    binder, colab = _launch_links(book_config)
    problems: dict[str, list[str]] = {}
    pages_with_math = 0

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
            issues = problems.setdefault(name, [])
            page = context.new_page()
            page.on(
                "console",
                lambda m, issues=issues: m.type == "error" and issues.append(f"console: {m.text}"),
            )
            page.on("pageerror", lambda e, issues=issues: issues.append(f"page error: {e}"))
            page.on(
                "requestfailed",
                lambda r, issues=issues: issues.append(f"request failed: {r.url} ({r.failure})"),
            )
            page.on(
                "response",
                lambda r, issues=issues: r.status >= 400
                and issues.append(f"HTTP {r.status}: {r.url}"),
            )
            page.goto(served + name, wait_until="networkidle", timeout=60_000)
            math = page.evaluate(WAIT_FOR_MATH)
            if math["math"]:
                pages_with_math += 1
                if math["raw"] != 0 or math["rendered"] < 1:
                    issues.append(f"math not rendered: {math}")
                if math["errors"]:
                    issues.append(f"{math['errors']} MathJax errors")
            page.wait_for_load_state("networkidle")
            issues.extend(f"image did not load: {src}" for src in page.evaluate(BROKEN_IMAGES))

            if name in notebook_pages:
                for what, selector in (
                    ("Binder", f'a[href^="{binder}"]'),
                    ("Colab", f'a[href^="{colab}"]'),
                    ("Live Code (Thebe)", ".btn-launch-thebe, .thebe-launch-button"),
                ):
                    if page.locator(selector).count() == 0:
                        issues.append(f"no {what} launch button")

            shot = SCREENSHOTS / (name.replace("/", "__").removesuffix(".html") + ".png")
            page.screenshot(path=str(shot), full_page=True)
            page.close()
    finally:
        context.close()

    problems = {k: v for k, v in problems.items() if v}
    assert not problems, f"pages with problems (screenshots in {SCREENSHOTS}): {problems}"
    assert pages_with_math >= 1, "no page had mathematics to check (the notation page has)"
    assert notebook_pages, "no notebook page to check the launch buttons on"
