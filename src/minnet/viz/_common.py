"""Small helpers shared by the plotting functions (not part of the public API)."""

from __future__ import annotations

import inspect
import math

import matplotlib.pyplot as plt
import numpy as np

from ..checks import to_numpy  # noqa: F401  (re-exported for the plotting modules)


def get_ax(ax=None, figsize=(5.0, 3.6)):
    """Return ``ax``, or a new Axes on a new figure when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def grid_axes(n, ncols=None, panel_size=(3.2, 2.6), sharex=False, sharey=False):
    """A figure with ``n`` panels laid out in rows of ``ncols``; spare panels are hidden.

    Returns ``(fig, axes)`` where ``axes`` is a flat list of the ``n`` visible Axes.
    """
    if n < 1:
        raise ValueError(f"need at least one panel to draw, got {n}")
    ncols = min(n, 4) if ncols is None else max(1, min(int(ncols), n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
        sharex=sharex,
        sharey=sharey,
        squeeze=False,
        layout="constrained",
    )
    flat = list(axes.ravel())
    for spare in flat[n:]:
        spare.set_visible(False)
    return fig, flat[:n]


def _accepts(func, name):
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def predictor(model_or_fn, batch_size=8192):
    """A function ``x -> numpy array`` from a model with ``.predict`` or a plain callable.

    Keras's ``predict`` is called with ``verbose=0`` (no progress bar on the page) and a
    large ``batch_size``, so predicting on a dense grid of points stays fast.
    """
    if hasattr(model_or_fn, "predict"):
        predict = model_or_fn.predict
        kwargs = {}
        if _accepts(predict, "verbose"):
            kwargs["verbose"] = 0
        if _accepts(predict, "batch_size"):
            kwargs["batch_size"] = batch_size
        return lambda x: to_numpy(predict(x, **kwargs))
    if callable(model_or_fn):
        return lambda x: to_numpy(model_or_fn(x))
    raise TypeError(
        f"expected a model with a .predict method or a callable, got "
        f"{type(model_or_fn).__name__}"
    )


def fmt(value):
    """A short label for a slider value: ``0.1``, ``-2``, ``1e-05``, ``'relu'``."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.3g}"
    return str(value)
