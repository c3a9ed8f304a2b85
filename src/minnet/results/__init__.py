"""Results the book reports, shipped with the package so that a page can read them anywhere.

``classics.json`` is written by ``python benchmarks/classics.py --table`` from the run files
in ``benchmarks/classics/runs/``, beside the table ``benchmarks/classics/results.md``: the
configuration of each reproduced classic MNIST result, and per row and library the seeds,
the final and peak accuracies, the learning curves and the seconds per epoch. The appendix
*Reproducing the classics* reads it with :func:`load_classics`, on a fresh checkout, from
an installed wheel or on Colab alike, without a network.
"""

from __future__ import annotations

import json
from importlib import resources

from ..errors import ConfigError

__all__ = ["load_classics"]


def load_classics() -> dict:
    """The summary of the classic MNIST reproductions: a dict with ``rows`` (the
    configurations) and ``summary`` (one entry per row and library)."""
    try:
        text = resources.files(__name__).joinpath("classics.json").read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ConfigError(
            "minnet/results/classics.json is missing from this installation of minnet. "
            "Run `python benchmarks/classics.py --table` in the repository to write it, or "
            "reinstall minnet from the repository (it ships as package data)."
        ) from error
    return json.loads(text)
