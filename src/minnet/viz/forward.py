"""Chapter 4 (forward propagation): what a network with one hidden layer computes.

Drawing functions (each draws into ``ax`` and returns it)::

    draw_network          the units and connections of a small dense network, labelled
    draw_random_network   decision regions of a random 2-layer network on 2-D data
                          (the drawing function behind the chapter's sliders)

Helpers that build the weights the chapter uses::

    ring_data             a disc of class 1 inside a ring of class 0 (2-D toy data)
    random_two_layer      random weights ``[W1, b1, W2, b2]`` for a 2-layer network
    polygon_weights       hand-set weights whose class-1 region is a regular polygon
    two_layer_model       a ``minnet.Sequential`` 2-layer network holding given weights
    explore_random_network  the ipywidgets explorer over width, weight scale and seed
"""

from __future__ import annotations

import numpy as np

from ..layers import Dense
from ..model import Sequential
from ._common import get_ax
from .boundary import plot_decision_boundary

__all__ = [
    "ring_data",
    "random_two_layer",
    "polygon_weights",
    "two_layer_model",
    "draw_random_network",
    "explore_random_network",
    "draw_network",
]


def ring_data(n=200, seed=0, noise=0.1):
    """``(x, y)``: ``n`` points in the plane, class 1 in a disc, class 0 in a ring around it.

    ``x`` has shape ``(n, 2)`` (float32) and ``y`` shape ``(n,)`` (0.0 or 1.0). Radii are
    about 0.5 (class 1) and 1.5 (class 0), each with Gaussian noise of std ``noise``.
    """
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 2).astype(np.float32)
    radius = np.where(y == 1, 0.5, 1.5) + rng.normal(0.0, noise, n)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]).astype(np.float32)
    return x, y


def random_two_layer(width, scale=1.0, seed=0, n_in=2):
    """Random weights ``[W1, b1, W2, b2]`` of a ``n_in``-``width``-1 network (float32).

    The first layer's weights and biases are drawn from ``N(0, scale**2)``: ``scale`` sets
    how sharply each hidden unit switches across its line ``x W1[:, j] + b1[j] = 0``. The
    output weights are drawn from ``N(0, 4 / width)`` so that the output's spread does not
    grow with the width; the output bias is 0.
    """
    rng = np.random.default_rng(seed)
    W1 = scale * rng.standard_normal((n_in, width))
    b1 = scale * rng.standard_normal(width)
    W2 = rng.standard_normal((width, 1)) * 2.0 / np.sqrt(width)
    b2 = np.zeros(1)
    return [w.astype(np.float32) for w in (W1, b1, W2, b2)]


def polygon_weights(width, radius=1.0, sharpness=None, output_sharpness=10.0):
    """Hand-set weights ``[W1, b1, W2, b2]`` of a ``2 - width - 1`` sigmoid network whose
    class-1 region is the regular polygon with ``width`` sides around a circle of ``radius``.

    Hidden unit ``k`` looks along the direction ``u_k = (cos t_k, sin t_k)``,
    ``t_k = 2 pi k / width``, and computes ``sigmoid(s * (radius - x . u_k))``: about 1 on
    the origin's side of the line ``x . u_k = radius``, about 0 beyond it. The output unit
    computes ``sigmoid(output_sharpness * (sum_k a_k - (width - 1/2)))``, which exceeds 0.5
    only where (nearly) every hidden unit is on: inside all ``width`` half-planes, i.e.
    inside the polygon. The hidden sharpness ``s`` defaults to ``10 * width / radius``: the
    more units share the sum, the sharper each must switch, or their small shortfalls
    from 1 add up and shrink the region.
    """
    if width < 3:
        raise ValueError(f"a polygon needs at least 3 sides, got width={width}")
    s = 10.0 * width / radius if sharpness is None else float(sharpness)
    t = 2 * np.pi * np.arange(width) / width
    u = np.stack([np.cos(t), np.sin(t)])                    # (2, width): one direction per unit
    W1 = -s * u
    b1 = np.full(width, s * radius)
    W2 = np.full((width, 1), output_sharpness)
    b2 = np.array([-output_sharpness * (width - 0.5)])
    return [w.astype(np.float32) for w in (W1, b1, W2, b2)]


def two_layer_model(weights, activation="tanh", output_activation="sigmoid"):
    """A built ``minnet.Sequential([Dense(h, activation), Dense(k, output_activation)])``
    holding ``weights = [W1, b1, W2, b2]``."""
    W1, _, W2, _ = weights
    model = Sequential([Dense(W1.shape[1], activation, input_dim=W1.shape[0]),
                        Dense(W2.shape[1], output_activation)])
    model.set_weights(weights)
    return model


def draw_random_network(width=8, scale=2.0, seed=0, activation="tanh", ax=None, data=None,
                        resolution=120):
    """Decision regions of a random ``2 - width - 1`` network (hidden ``activation``,
    sigmoid output) over the plane of the ring data.

    What the plot shows: each pale colour is the class the random network assigns there
    (class 1 where its output is at least 0.5), the black line is where the output equals
    0.5, and the points are the ring data, coloured by their labels. The network is not
    trained: the picture shows which shapes a network of this width and weight scale can
    draw, not a fit. More hidden units give more lines to bend the boundary along; a
    larger ``scale`` makes each unit switch more sharply, so the boundary has corners.
    """
    ax = get_ax(ax)
    x, y = ring_data() if data is None else data
    model = two_layer_model(random_two_layer(int(width), float(scale), int(seed)), activation)
    plot_decision_boundary(model, x, y, ax=ax, resolution=resolution,
                           title=f"width {int(width)}, scale {float(scale):g}")
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    return ax


def explore_random_network(data=None):
    """Sliders over hidden width, weight scale, seed and activation of
    :func:`draw_random_network` (needs a running kernel)."""
    from .grid import explorer

    return explorer(draw_random_network, fixed={"data": data} if data is not None else None,
                    width=(1, 64, 1), scale=(0.1, 10.0, 0.1), seed=(0, 20, 1),
                    activation=["tanh", "relu", "sigmoid"], figsize=(5.5, 4.5))


def draw_network(sizes, ax=None, labels=True, title=None):
    """Draw a dense network with ``sizes = [n_0, n_1, ..., n_L]`` units per layer.

    What the plot shows: one column of circles per layer (the inputs on the left), one
    line per weight. Every unit of layer ``l - 1`` connects to every unit of layer ``l``;
    with ``labels`` the weights into the first unit of each layer are written as
    ``w^l_{jk}`` (from unit ``j`` of layer ``l - 1`` to unit ``k`` of layer ``l``) and the
    units carry their names (``x_j`` for the inputs, ``a^l_k`` for the others).
    """
    ax = get_ax(ax, figsize=(2.0 * len(sizes) + 1.0, 0.9 * max(sizes) + 1.2))
    top = max(sizes)
    positions = []
    for layer, n in enumerate(sizes):
        ys = np.arange(n)[::-1] - (n - 1) / 2
        positions.append([(2.0 * layer, float(yy)) for yy in ys])
    for layer in range(1, len(sizes)):
        for j, (x0, y0) in enumerate(positions[layer - 1]):
            for k, (x1, y1) in enumerate(positions[layer]):
                first = k == 0
                ax.plot([x0, x1], [y0, y1], color="C0" if first else "0.75",
                        lw=1.2 if first else 0.8, zorder=1)
                if labels and first:
                    # where the blue lines into unit 1 fan apart: near the receiving
                    # unit when the layer widens, near the sending ones when it narrows
                    t = 0.7 if sizes[layer] >= sizes[layer - 1] else 0.35
                    ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0) + 0.04,
                            f"$w^{{{layer}}}_{{{j + 1}{k + 1}}}$", fontsize=10, color="C0",
                            ha="center", va="bottom",
                            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    for layer, column in enumerate(positions):
        for j, (x0, y0) in enumerate(column):
            ax.add_patch(_circle((x0, y0), 0.28, layer == 0))
            if labels:
                name = f"$x_{{{j + 1}}}$" if layer == 0 else f"$a^{{{layer}}}_{{{j + 1}}}$"
                ax.text(x0, y0, name, ha="center", va="center", fontsize=9, zorder=3)
        x0 = column[0][0]
        caption = "input" if layer == 0 else ("output" if layer == len(sizes) - 1 else "hidden")
        ax.text(x0, -top / 2 - 0.1, f"layer {layer}\n{caption}, $n_{{{layer}}}={sizes[layer]}$",
                ha="center", va="top", fontsize=10)
    ax.set_xlim(-0.7, 2.0 * (len(sizes) - 1) + 0.7)
    ax.set_ylim(-top / 2 - 0.75, top / 2)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title if title is not None else
                 "A dense network " + "-".join(str(n) for n in sizes))
    return ax


def _circle(center, radius, is_input):
    from matplotlib.patches import Circle

    return Circle(center, radius, facecolor="#dde8f5" if is_input else "#fde3c8",
                  edgecolor="black", lw=1.0, zorder=2)
