"""`import minnet` stays light: numpy, and nothing that draws, widgets or trains on a GPU.

The core must run anywhere numpy runs (Pyodide included), and importing it must take a
fraction of a second. Each check runs in a fresh interpreter, so nothing imported by
other tests can hide an import.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["matplotlib", "ipywidgets", "tensorflow", "keras", "pooch", "requests", "IPython"]


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return {name.split(".")[0] for name in json.loads(out.splitlines()[-1])}


def test_import_minnet_imports_nothing_heavy():
    loaded = _modules_after("import minnet")
    assert "minnet" in loaded and "numpy" in loaded
    heavy = sorted(set(HEAVY) & loaded)
    assert not heavy, f"`import minnet` imported {heavy}; import them lazily, where used"


@pytest.mark.parametrize("heavy", ["pooch", "requests"])
def test_import_minnet_datasets_defers_the_download_machinery(heavy):
    assert heavy not in _modules_after("import minnet.datasets")
