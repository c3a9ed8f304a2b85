"""Decision boundaries of a classifier on two input features."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

from ._common import get_ax, predictor, to_numpy

__all__ = ["CLASS_COLORS", "classify", "plot_decision_boundary"]

#: Colours of classes 0, 1, 2, ... (regions and points use the same ones).
CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def _labels(y):
    """Class indices ``(n,)`` from labels given as ``(n,)``, ``(n, 1)`` or one-hot ``(n, n_L)``."""
    y = to_numpy(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1)
    return np.rint(y.reshape(len(y))).astype(int)


def classify(outputs, threshold=0.5):
    """Turn model outputs into class indices, as the book's classifiers are read.

    * one output per point, ``(n,)`` or ``(n, 1)``, float: class 1 where the output is
      at least ``threshold`` (a sigmoid's probability of class 1), else class 0;
    * one output per point, integer: already a class index;
    * ``k >= 2`` outputs per point: the class with the largest output (argmax).
    """
    out = np.asarray(outputs)
    if out.ndim == 2 and out.shape[1] > 1:
        return np.argmax(out, axis=1)
    out = out.reshape(len(out))
    if np.issubdtype(out.dtype, np.integer) or out.dtype == bool:
        return out.astype(int)
    return (out >= threshold).astype(int)


def plot_decision_boundary(model_or_fn, x, y=None, ax=None, resolution=200, *, padding=0.1,
                           contour=True, threshold=0.5, proba=False, title=None,
                           xlabel="$x_1$", ylabel="$x_2$"):
    """Shade the regions a classifier assigns to each class, over a 2-D input plane.

    What the plot shows: the plane of the two input features, covered by a
    ``resolution x resolution`` grid; every grid point is coloured by the class the model
    predicts there (pale colours), and the data points are drawn on top, coloured by their
    true label (same colours). Where a point's colour differs from the region under it,
    the model misclassifies it. For one output unit, the black line is the decision
    boundary, where the output equals ``threshold``.

    Parameters
    ----------
    model_or_fn : ~minnet.model.Sequential or callable
        Anything with ``.predict(x)`` (a minnet or Keras model) or a function
        ``f(x) -> outputs`` taking a batch ``x`` of shape ``(n, 2)``. Outputs of shape
        ``(n,)``/``(n, 1)`` are a binary classifier (class 1 where output >= threshold;
        integer outputs are class indices), ``(n, n_L)`` a classifier of ``n_L`` classes (argmax).
    x : ndarray
        The data points, shape ``(n, 2)``; the plotted window covers them, plus ``padding`` (a fraction of
        their range) on every side.
    y : ndarray, optional
        Their labels, ``(n,)``, ``(n, 1)`` or one-hot ``(n, n_L)``. Without labels the points
        are drawn in black.
    ax : Axes, optional
        Where to draw; a new figure is created if omitted.
    resolution : int
        Grid points per axis.
    contour : bool
        Draw the ``threshold`` level line of a one-output model.
    proba : bool
        For a one-output model, shade by the output value itself (from 0 to 1) instead of
        by the predicted class: shows how confident the model is, not only where it flips.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` holds the grid of predicted classes (or outputs, with ``proba``).
    """
    x = to_numpy(x)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(
            f"plot_decision_boundary draws 2-D inputs: x must have shape (n, 2), got {x.shape}"
        )
    ax = get_ax(ax)
    predict = predictor(model_or_fn)

    lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    lo, hi = lo - padding * span, hi + padding * span
    g1 = np.linspace(lo[0], hi[0], resolution)
    g2 = np.linspace(lo[1], hi[1], resolution)
    xx, yy = np.meshgrid(g1, g2)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float32
    grid = np.column_stack([xx.ravel(), yy.ravel()]).astype(dtype)
    out = predict(grid)
    if len(out) != len(grid):
        raise ValueError(
            f"the model returned {len(out)} outputs for {len(grid)} grid points; "
            "it must return one row per input row"
        )
    one_output = out.ndim == 1 or (out.ndim == 2 and out.shape[1] == 1)
    classes = classify(out, threshold).reshape(xx.shape)

    labels = None if y is None else _labels(y)
    n_classes = max(2 if one_output else out.shape[1], int(classes.max()) + 1,
                    0 if labels is None else int(labels.max()) + 1)
    colors = [CLASS_COLORS[c % len(CLASS_COLORS)] for c in range(n_classes)]
    extent = (lo[0], hi[0], lo[1], hi[1])

    if proba and one_output:
        values = out.reshape(xx.shape).astype(float)
        image = ax.imshow(values, origin="lower", extent=extent, aspect="auto", cmap="coolwarm",
                          vmin=0.0, vmax=1.0, alpha=0.6, interpolation="bilinear")
        ax.figure.colorbar(image, ax=ax, label="model output")
    else:
        ax.imshow(classes, origin="lower", extent=extent, aspect="auto",
                  cmap=ListedColormap(colors), vmin=-0.5, vmax=n_classes - 0.5, alpha=0.3,
                  interpolation="nearest")
    if contour and one_output:
        values = out.reshape(xx.shape).astype(float)
        if values.min() < threshold < values.max():
            ax.contour(xx, yy, values, levels=[threshold], colors="black", linewidths=1.5)

    if labels is None:
        ax.scatter(x[:, 0], x[:, 1], s=18, color="black", edgecolors="white", linewidths=0.5)
    else:
        for c in np.unique(labels):
            sel = labels == c
            ax.scatter(x[sel, 0], x[sel, 1], s=22, color=colors[c], edgecolors="black",
                       linewidths=0.5, label=f"class {c}")
        ax.legend(loc="best", fontsize="small")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title if title is not None else "Decision regions")
    return ax
