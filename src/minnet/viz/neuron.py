"""Chapter 1 (the neuron): one threshold unit's decision boundary over labelled points.

A neuron with two inputs computes ``z = x1 w1 + x2 w2 + b`` and answers 1 where ``z > 0``.
Its decision boundary is the line ``w1 x1 + w2 x2 + b = 0``; the weight vector
``(w1, w2)`` is perpendicular to it and points into the half-plane labelled 1. The module's names::

    plot_neuron(w1, w2, b, x, y)     the line, the two half-planes, the points, the mistakes
    neuron_explorer()                sliders for w1, w2, b (needs a running kernel)
    neuron_grid(settings)            the static twin: one panel per setting
    DATASETS                         the four logic-gate points with AND, OR, NAND, XOR labels,
                                     and a small cloud of two separable classes
"""

from __future__ import annotations

import difflib

import numpy as np

from ..errors import ShapeError, UnknownNameError
from ._common import get_ax, to_numpy
from .boundary import CLASS_COLORS

__all__ = [
    "GATE_INPUTS",
    "DATASETS",
    "step_predict",
    "count_misclassified",
    "plot_neuron",
    "neuron_explorer",
    "neuron_grid",
]

#: The four corners of the unit square, one example per row.
GATE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _cloud(n_per_class=12, seed=1):
    """Two blobs of points that the line x1 + x2 = 0 separates with a margin of 0.25."""
    rng = np.random.default_rng(seed)
    centres = {0: np.array([-1.0, -0.6]), 1: np.array([1.0, 0.8])}
    points = {0: [], 1: []}
    while min(len(v) for v in points.values()) < n_per_class:
        for c, centre in centres.items():
            p = rng.normal(centre, 0.6)
            side = (p[0] + p[1]) / np.sqrt(2.0)
            if len(points[c]) < n_per_class and (side > 0.25 if c else side < -0.25):
                points[c].append(p)
    return np.vstack([points[0], points[1]]), np.repeat([0, 1], n_per_class)


#: Named data sets for the explorer, as ``name -> (x (n, 2), y (n,))``.
DATASETS = {
    "AND": (GATE_INPUTS, np.array([0, 0, 0, 1])),
    "OR": (GATE_INPUTS, np.array([0, 1, 1, 1])),
    "NAND": (GATE_INPUTS, np.array([1, 1, 1, 0])),
    "XOR": (GATE_INPUTS, np.array([0, 1, 1, 0])),
    "cloud": _cloud(),
}


def _dataset_name(data):
    """The key of :data:`DATASETS` that ``data`` names, in any case ("xor" is "XOR")."""
    names = {name.lower(): name for name in DATASETS}
    key = names.get(str(data).lower())
    if key is None:
        close = difflib.get_close_matches(str(data).lower(), list(names), n=2, cutoff=0.5)
        suggestion = (f" Did you mean {' or '.join(repr(names[c]) for c in close)}?"
                      if close else "")
        raise UnknownNameError(f"Unknown data set {data!r}.{suggestion} The explorer knows "
                               f"{', '.join(DATASETS)}.")
    return key


def step_predict(x, w1, w2, b):
    """The neuron's answers ``1 if x1 w1 + x2 w2 + b > 0 else 0`` for a batch ``x`` (n, 2)."""
    x = np.asarray(x, dtype=float)
    return (x @ np.array([w1, w2], dtype=float) + b > 0).astype(int)


def count_misclassified(x, y, w1, w2, b):
    """How many points of ``(x, y)`` the neuron with weights ``w1, w2`` and bias ``b`` gets wrong."""
    return int(np.sum(step_predict(x, w1, w2, b) != np.asarray(y).reshape(-1)))


def plot_neuron(w1=1.0, w2=1.0, b=-1.5, x=None, y=None, ax=None, *, data=None, padding=0.6,
                show_normal=True, legend=True, title=None):
    """Draw a two-input neuron's decision boundary over labelled points.

    What the plot shows: the input plane ``(x1, x2)``; the half-plane where the neuron
    answers 1 (``z > 0``) shaded orange, the other blue; the boundary line ``z = 0`` in
    black; the weight vector ``w = (w1, w2)`` as an arrow from the point of the line nearest
    the data's centre (it is perpendicular to the line and points into the "1" side); the
    points coloured by their true label (blue 0, orange 1); every misclassified point
    circled in red; and the number of mistakes in the title.

    Parameters
    ----------
    w1, w2, b : float
        The neuron's weights and bias.
    x, y : ndarray, optional
        Points ``(n, 2)`` and their labels ``(n,)`` in {0, 1}. Default: the XOR gate.
    ax : Axes, optional
    data : str, optional
        A name from :data:`DATASETS` (``"AND"``, ``"OR"``, ``"NAND"``, ``"XOR"``,
        ``"cloud"``), used instead of ``x, y``.
    padding : float
        Margin around the points, in input units.
    show_normal : bool
        Draw the weight vector.
    legend : bool
        Add a legend (labels 0 and 1, misclassified).
    title : str, optional
        Replaces the default title (which carries the count of mistakes).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.misclassified`` holds the count of misclassified points.
    """
    if data is not None:
        x, y = DATASETS[_dataset_name(data)]
    elif x is None:
        x, y = DATASETS["XOR"]
    x = to_numpy(x).astype(float)
    y = np.asarray(y).reshape(-1).astype(int)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ShapeError(f"plot_neuron draws a neuron with two inputs: x must have shape (n, 2), "
                         f"got {x.shape}. Pass one point per row, two features per point.")
    if len(y) != len(x):
        raise ShapeError(f"x has {len(x)} points but y has {len(y)} labels; give one 0/1 label "
                         "per point.")
    ax = get_ax(ax, figsize=(4.2, 3.8))

    lo, hi = x.min(axis=0) - padding, x.max(axis=0) + padding
    g1, g2 = np.linspace(lo[0], hi[0], 300), np.linspace(lo[1], hi[1], 300)
    xx, yy = np.meshgrid(g1, g2)
    z = w1 * xx + w2 * yy + b
    from matplotlib.colors import ListedColormap

    ax.imshow((z > 0).astype(int), origin="lower", extent=(lo[0], hi[0], lo[1], hi[1]),
              aspect="auto", cmap=ListedColormap(CLASS_COLORS[:2]), vmin=0, vmax=1, alpha=0.22,
              interpolation="nearest")
    if z.min() < 0 < z.max():
        ax.contour(xx, yy, z, levels=[0.0], colors="black", linewidths=1.8)

    norm2 = w1 * w1 + w2 * w2
    if show_normal and norm2 > 0:
        centre = x.mean(axis=0)
        w = np.array([w1, w2])
        foot = centre - (centre @ w + b) / norm2 * w  # the point of the line nearest the centre
        length = 0.35 * float(np.min(hi - lo))
        tip = w / np.sqrt(norm2) * length
        if np.all(foot > lo) and np.all(foot < hi):
            ax.annotate("", xy=foot + tip, xytext=foot,
                        arrowprops={"arrowstyle": "->", "color": "black", "lw": 1.4})
            ax.annotate("$w$", xy=foot + 1.1 * tip, ha="center", va="center")

    pred = step_predict(x, w1, w2, b)
    wrong = pred != y
    for c in (0, 1):
        sel = y == c
        ax.scatter(x[sel, 0], x[sel, 1], s=60, color=CLASS_COLORS[c], edgecolors="black",
                   linewidths=0.6, zorder=3, label=f"label {c}")
    if wrong.any():
        ax.scatter(x[wrong, 0], x[wrong, 1], s=260, facecolors="none", edgecolors="red",
                   linewidths=2.0, zorder=4, label="misclassified")
    if legend:
        ax.legend(loc="upper left", fontsize="x-small", framealpha=0.8)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    n_wrong = int(wrong.sum())
    ax.set_title(title if title is not None else f"{n_wrong} of {len(y)} misclassified")
    ax.misclassified = n_wrong
    return ax


def neuron_explorer(data="XOR", w1=1.0, w2=1.0, b=-0.5):
    """Sliders for ``w1``, ``w2`` and ``b`` (and a data-set menu) over :func:`plot_neuron`.

    Needs a running kernel (Jupyter, Binder, Colab); tag the cell ``remove-output`` and show
    :func:`neuron_grid` beside it for the static book.

    Returns
    -------
    ipywidgets.interactive
    """
    import ipywidgets as widgets

    from .grid import explorer

    def draw(data=data, w1=w1, w2=w2, b=b, ax=None):
        return plot_neuron(w1, w2, b, data=data, ax=ax)

    names = list(DATASETS)
    return explorer(
        draw,
        figsize=(4.6, 4.0),
        continuous_update=True,
        data=widgets.Dropdown(options=names, value=data, description="data"),
        w1=widgets.FloatSlider(value=w1, min=-3.0, max=3.0, step=0.1, description="w1"),
        w2=widgets.FloatSlider(value=w2, min=-3.0, max=3.0, step=0.1, description="w2"),
        b=widgets.FloatSlider(value=b, min=-3.0, max=3.0, step=0.1, description="b"),
    )


def neuron_grid(settings, *, ncols=None, suptitle=None):
    """The explorer's static twin: one :func:`plot_neuron` panel per setting.

    Parameters
    ----------
    settings : list of dict
        Each ``{"data": name, "w1": ..., "w2": ..., "b": ...}``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .grid import static_grid

    def draw(data="XOR", w1=1.0, w2=1.0, b=0.0, ax=None):
        plot_neuron(w1, w2, b, data=data, ax=ax, legend=False)
        ax.set_title(f"{data}: w = ({w1:g}, {w2:g}), b = {b:g}\n"
                     f"{ax.misclassified} misclassified", fontsize="medium")

    return static_grid(draw, settings, ncols=ncols, titles=False, suptitle=suptitle,
                       panel_size=(2.3, 2.4), sharex=False, sharey=False)
