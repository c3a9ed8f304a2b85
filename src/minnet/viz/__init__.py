"""Plots and interactive explorers for the book (matplotlib, ipywidgets).

``import minnet`` never imports this package; ``minnet.viz`` or ``import minnet.viz``
does, and only then are matplotlib (and, for :func:`~minnet.viz.grid.explorer`, ipywidgets) loaded.

Every function draws into an ``ax`` you pass, or a new figure, and labels its axes.
Functions that draw one panel return the ``Axes``; those that draw several return the
``Figure``. In a notebook, assign the result (``ax = viz.plot_activation("tanh")``) or end
the line with ``;`` so the figure is shown once.

Core plots:
    plot_history             training curves from a minnet or Keras History
    plot_decision_boundary   class regions of a classifier over two input features
    plot_activation          an activation function and its derivative
    plot_layer_histograms    per-layer activations, gradients or weights (small multiples)

Sliders and their static twins:
    explorer                 ipywidgets sliders over a drawing function (needs a kernel)
    static_grid              the same drawing function as small multiples (for the HTML)

Chapter-specific explorers live in submodules, ``minnet.viz.<chapter>``, imported on
first use: ``from minnet.viz.neuron import ...`` or ``minnet.viz.neuron``.
"""

from __future__ import annotations

import importlib

from .boundary import plot_decision_boundary
from .curves import plot_history
from .functions import plot_activation
from .grid import explorer, static_grid
from .histograms import plot_layer_histograms

__all__ = [
    "explorer",
    "plot_activation",
    "plot_decision_boundary",
    "plot_history",
    "plot_layer_histograms",
    "static_grid",
]


def __getattr__(name):
    """Import chapter submodules (``minnet.viz.<chapter>``) on first access."""
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"{__name__}.{name}":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        raise
