"""The package, its tests, the benchmarks and the tools pass ruff with the settings in pyproject.toml.

Notebooks are not linted here: an exercise stub followed by its solution redefines a name
on purpose, which is how the chapters teach.
"""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks", "tools"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
