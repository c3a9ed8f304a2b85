"""Pictures of initialization and of vanishing and exploding gradients (chapter 9).

* :func:`depth_statistics` sends a batch through a deep ``Sequential`` of ``Dense`` layers
  and records, layer by layer, the activations ``A^l`` and the weight gradients
  ``dC/dW^l`` (from ``model.gradients``), with their standard deviations;
* :func:`plot_std_through_depth` draws those standard deviations against depth, one line
  per network (log scale: a straight falling line is a signal that dies geometrically);
* :func:`plot_depth_histograms` draws the values themselves as histograms, one row per
  network and one column per chosen layer;
* :func:`draw_signal` is a drawing function for a slider: a random deep network with a
  chosen activation and a chosen weight scale (a *gain* times the Glorot or He standard
  deviation); :func:`signal_explorer` puts sliders on it (needs a kernel) and
  ``minnet.viz.static_grid(draw_signal, ...)`` draws its static twin.

matplotlib and ipywidgets are imported inside the functions that need them.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "depth_statistics",
    "draw_signal",
    "plot_depth_histograms",
    "plot_std_through_depth",
    "signal_explorer",
    "signal_network",
]

_KINDS = {
    "activations": ("std of activations $A^l$", "activation $a$"),
    "gradients": (r"std of $\partial C/\partial W^l$", r"gradient $\partial C/\partial W$"),
}


def depth_statistics(model, x, y):
    """Activations and weight gradients of every ``Dense`` layer of a compiled ``model``.

    Returns a dict with ``"activations"`` (list of arrays ``A^l``, hidden layers and the
    output), ``"gradients"`` (list of ``dC/dW^l``), and ``"activations_std"``,
    ``"gradients_std"`` (numpy arrays, one standard deviation per layer, input side first).
    """
    from ..layers import Dense

    grads = model.gradients(x, y)  # runs forward (each layer keeps its a) and backward
    dense, dW, start = [], [], 0
    for layer in model.layers:
        count = len(layer.params)
        if isinstance(layer, Dense):
            dense.append(layer)
            dW.append(np.asarray(grads[start]))
        start += count
    if not dense:
        raise TypeError("depth_statistics needs a model with Dense layers")
    acts = [np.asarray(layer.a) for layer in dense]
    return {
        "activations": acts,
        "gradients": dW,
        "activations_std": np.array([float(a.std()) for a in acts]),
        "gradients_std": np.array([float(g.std()) for g in dW]),
    }


def plot_std_through_depth(stats, kind="activations", ax=None, spread=None):
    """Standard deviation per layer against the layer index, one line per network.

    ``stats`` maps a label to a 1-D array of standard deviations (layer 1 first), or to
    the dict returned by :func:`depth_statistics`. ``spread`` optionally maps the same
    labels to ``(low, high)`` arrays drawn as a shaded band (e.g. the range over seeds).
    The y axis is logarithmic. Returns the ``Axes``.
    """
    from ._common import get_ax

    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, _KINDS))}; got {kind!r}")
    ax = get_ax(ax, figsize=(5.6, 3.8))
    markers = "os^vDP*X"
    for i, (label, values) in enumerate(stats.items()):
        if isinstance(values, dict):
            values = values[f"{kind}_std"]
        values = np.asarray(values, dtype=float)
        layers = np.arange(1, len(values) + 1)
        (line,) = ax.semilogy(layers, values, marker=markers[i % len(markers)],
                              markersize=3.5, label=label)
        if spread is not None and label in spread:
            low, high = spread[label]
            ax.fill_between(layers, low, high, color=line.get_color(), alpha=0.2,
                            linewidth=0)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("layer $l$")
    ax.set_ylabel(_KINDS[kind][0])
    ax.grid(True, which="major", alpha=0.3)
    return ax


def plot_depth_histograms(records, layers, kind="activations", bins=40, panel_size=(2.3, 1.6)):
    """Histograms of activations or weight gradients: one row per network, one column per layer.

    ``records`` maps a row label to the dict of :func:`depth_statistics`; ``layers`` lists
    the layer numbers (1 = first hidden layer) to show. Each row shares its bins, so the
    widths along a row compare directly; each panel prints its standard deviation.
    Returns the ``Figure``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, _KINDS))}; got {kind!r}")
    layers = list(layers)
    rows = list(records.items())
    fig, axes = plt.subplots(len(rows), len(layers), squeeze=False, layout="constrained",
                             figsize=(panel_size[0] * len(layers), panel_size[1] * len(rows)))
    for r, (label, rec) in enumerate(rows):
        arrays = rec[kind]
        for l_ in layers:
            if not 1 <= l_ <= len(arrays):
                raise ValueError(f"layer {l_} does not exist: the network has "
                                 f"{len(arrays)} Dense layers, numbered from 1")
        chosen = [np.asarray(arrays[l_ - 1], dtype=float).ravel() for l_ in layers]
        scale = max(float(np.abs(v).max()) for v in chosen) or 1.0
        edges = np.linspace(-scale, scale, bins + 1)
        if kind == "activations" and min(float(v.min()) for v in chosen) >= 0:
            edges = np.linspace(0, scale, bins + 1)
        tiny_or_huge = scale < 1e-3 or scale >= 1e4  # no offset text ("1e-20") under a panel
        for c, (l_, values) in enumerate(zip(layers, chosen, strict=True)):
            ax = axes[r][c]
            counts, _ = np.histogram(values, bins=edges)
            ax.stairs(counts, edges, fill=True, color="#1f77b4")  # one artist, not 40 bars
            ax.set_ylim(0, counts.max() * 1.05 or 1)
            ax.set_yticks([])
            ax.locator_params(axis="x", nbins=3 if tiny_or_huge else 4)
            if tiny_or_huge:
                ax.xaxis.set_major_formatter(FuncFormatter(_short_sci))
            ax.tick_params(labelsize="x-small")
            ax.text(0.97, 0.93, f"std {values.std():.1e}", transform=ax.transAxes,
                    ha="right", va="top", fontsize="x-small",
                    bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
            if r == 0:
                ax.set_title(f"layer {l_}", fontsize="small")
            if c == 0:
                ax.set_ylabel(label, fontsize="small")
            if r == len(rows) - 1:
                ax.set_xlabel(_KINDS[kind][1], fontsize="small")
    return fig


def _short_sci(x, _pos=None):
    """Tick label such as ``-5e-20`` (``0`` for zero), for axes whose scale is far from 1."""
    return "0" if x == 0 else f"{x:.0e}".replace("e-0", "e-").replace("e+0", "e")


_BASE_STD = {
    "glorot": lambda fan_in, fan_out: np.sqrt(2.0 / (fan_in + fan_out)),
    "he": lambda fan_in, fan_out: np.sqrt(2.0 / fan_in),
}


def signal_network(activation="tanh", gain=1.0, scheme="glorot", depth=20, width=128,
                   n_in=64, batch=128, seed=0):
    """A random deep network and the standard deviations of its signal.

    Every hidden layer is ``Dense(width, activation)`` with normal weights of standard
    deviation ``gain`` times the Glorot (``scheme="glorot"``) or He (``"he"``) value, zero
    biases; the input is a standard normal batch and the last layer a linear ``Dense(1)``
    trained with MSE against standard normal targets. Returns ``(activations_std,
    gradients_std)`` for the hidden layers, input side first.
    """
    from .. import initializers
    from ..layers import Dense
    from ..model import Sequential

    if scheme not in _BASE_STD:
        raise ValueError(f"scheme must be 'glorot' or 'he', got {scheme!r}")
    layers, fan_in = [], n_in
    for _ in range(depth):
        std = float(gain * _BASE_STD[scheme](fan_in, width))
        layers.append(Dense(width, activation,
                            kernel_initializer=initializers.RandomNormal(stddev=std)))
        fan_in = width
    layers.append(Dense(1))
    model = Sequential(layers, seed=seed)
    model.build((None, n_in))
    model.compile("sgd", "mse")
    rng = np.random.default_rng(seed + 1)
    x = rng.standard_normal((batch, n_in)).astype("float32")
    y = rng.standard_normal((batch, 1)).astype("float32")
    stats = depth_statistics(model, x, y)
    return stats["activations_std"][:-1], stats["gradients_std"][:-1]


def draw_signal(activation="tanh", gain=1.0, scheme="glorot", depth=20, ax=None, seed=0):
    """Draw the std of activations and of weight gradients through a random deep network.

    A drawing function for :func:`signal_explorer` and ``minnet.viz.static_grid``: see
    :func:`signal_network` for the network. Both curves are on one logarithmic axis;
    flat curves mean the signal neither dies nor blows up on its way through.
    """
    from ._common import get_ax

    ax = get_ax(ax)
    a_std, g_std = signal_network(activation, gain, scheme, depth, seed=seed)
    layers = np.arange(1, len(a_std) + 1)
    ax.semilogy(layers, np.maximum(a_std, 1e-30), "o-", markersize=3, label="activations")
    ax.semilogy(layers, np.maximum(g_std, 1e-30), "s--", markersize=3,
                label=r"$\partial C/\partial W$")
    from matplotlib.ticker import MaxNLocator, NullFormatter

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    low, high = ax.get_ylim()
    if np.floor(np.log10(high)) >= np.ceil(np.log10(low)):  # a power of ten is in view:
        ax.yaxis.set_minor_formatter(NullFormatter())  # label decades only, not 2x, 3x, ...
    ax.set_xlabel("layer $l$")
    ax.set_ylabel("standard deviation")
    ax.set_title(f"{activation}, {gain:g} x {scheme}", fontsize="medium")
    ax.legend(fontsize="x-small")
    ax.grid(True, alpha=0.3)
    return ax


def signal_explorer(depth=20):
    """Sliders over :func:`draw_signal`: activation, gain, scheme (needs a kernel)."""
    from .grid import explorer

    return explorer(draw_signal, fixed={"depth": depth},
                    activation=["tanh", "sigmoid", "relu", "linear"],
                    gain=(0.25, 3.0, 0.25), scheme=["glorot", "he"])
