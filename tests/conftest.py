"""Shared fixtures: the repository's layout, the data files, a local HTTP server."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

from minnet.keras import quiet_tensorflow

ROOT = Path(__file__).resolve().parent.parent

# TensorFlow stays quiet in every test process and in every kernel started from one.
quiet_tensorflow()

# The tests run on two workers, each starting notebook kernels and a book build: every process
# they start uses one BLAS thread, so that two notebooks side by side do not fight over the
# cores (numpy's small matrix products gain little from a second thread and lose much when
# the cores are oversubscribed). A value set by the caller wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


@pytest.fixture
def close_figures():
    """For the plotting tests: matplotlib on the Agg backend, every figure closed after the
    test. Use it in a module with ``pytestmark = pytest.mark.usefixtures("close_figures")``."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def book_config() -> dict:
    """_config.yml, parsed."""
    import yaml

    return yaml.safe_load((ROOT / "_config.yml").read_text())


@pytest.fixture(scope="session")
def data_source_dir(tmp_path_factory) -> Path:
    """A folder with mnist/ and fashion-mnist/, each holding the four original .gz files.

    It is MINNET_DATA_DIR when that is set (CI points it at ../shared/data); otherwise
    the loaders fetch the files into a temporary cache once (this needs the network),
    and that cache is the source.
    """
    env = os.environ.get("MINNET_DATA_DIR")
    if env:
        return Path(env)
    from minnet import datasets

    cache = tmp_path_factory.mktemp("minnet-download-cache")
    datasets.load_mnist(cache_dir=cache)
    datasets.load_fashion_mnist(cache_dir=cache)
    return cache


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder, counts GET requests per path, and logs nothing."""

    def do_GET(self):  # noqa: N802 (name fixed by the base class)
        self.server.requests.append(self.path)
        super().do_GET()

    def log_message(self, format, *args):  # noqa: A002
        pass


class LocalServer:
    """An HTTP server on 127.0.0.1, serving ``root``, for as long as a test needs it."""

    def __init__(self, root: Path):
        self.root = Path(root)
        handler = functools.partial(_CountingHandler, directory=str(self.root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.requests = []
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def local_server():
    """Factory: ``with local_server(folder) as server: ... server.url ...``."""
    return LocalServer


@pytest.fixture
def no_proxy(monkeypatch):
    """Requests to 127.0.0.1 go straight to the local server, whatever proxy is set."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
