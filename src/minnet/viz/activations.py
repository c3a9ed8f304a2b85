"""Chapter 2: how far an activation saturates for a given spread of its inputs.

A unit is *saturated* at ``z`` when the size of its slope there is below 1% of the largest
size the slope reaches anywhere: ``|f'(z)| < 0.01 * max |f'|``. Through such a unit a
gradient shrinks at least a hundredfold (chapter 5 multiplies every error by ``f'(z)``).
The absolute value matters for activations whose slope turns negative (SiLU); an activation
whose slope is 0 wherever it exists (the step) passes no gradient at all, so every one of its
units counts as saturated. For a layer whose pre-activations have spread (standard deviation)
``s``, ``z ~ N(0, s^2)``, :func:`saturated_fraction` estimates the fraction of its units that
are saturated. (The book keeps the letter sigma for the sigmoid, so the spread is ``s``.)

Drawing functions:
    draw_saturation        f and f' over z, the input density, and the histogram of f'(z)
    saturation_explorer    a drop-down for the activation and a slider for the spread s (live)
    saturation_grid        the static twin: histograms of ``|f'(z)|``, activations x spreads
"""

from __future__ import annotations

import numpy as np

from ..activations import get as get_activation
from ..errors import ConfigError
from ._common import grid_axes

#: A unit is saturated where ``|f'(z)| < SATURATION_LEVEL * max |f'|``.
SATURATION_LEVEL = 0.01

#: The element-wise activations the explorer offers (softmax has no single curve).
EXPLORER_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "step", "linear")


def _activation(activation):
    act = get_activation(activation)
    if act.name == "softmax":
        raise ConfigError(
            "softmax mixes the entries of a row, so a single unit's saturation is not defined "
            "by its own z alone; pick an element-wise activation: "
            + ", ".join(EXPLORER_ACTIVATIONS) + "."
        )
    return act


def max_derivative(activation):
    """The largest size of the slope, ``max |f'(z)|`` over all ``z`` (0 for the step function).

    Found on a fine grid from -20 to 20, which holds the maximum of every element-wise
    activation in :mod:`minnet.activations` (sigmoid 1/4 and tanh 1 at ``z = 0``, ReLU 1)
    and of SiLU (about 1.0998 near ``z = 2.4``).
    """
    act = _activation(activation)
    grid = np.linspace(-20.0, 20.0, 40001)
    return float(np.max(np.abs(act.derivative(grid))))


def saturation_mask(activation, z, level=SATURATION_LEVEL):
    """True where ``|f'(z)| < level * max |f'|``: the saturated entries of ``z``.

    The size of the slope counts, not its sign: where a slope is negative (SiLU for
    ``z < -1.28``) a gradient still passes through, scaled by ``|f'(z)|``. For the step
    function, whose derivative is 0 everywhere it exists (``max |f'| = 0``), every entry is
    saturated: no gradient passes.
    """
    act = _activation(activation)
    d = np.asarray(act.derivative(np.asarray(z, dtype=np.float64)), dtype=np.float64)
    top = max_derivative(act)
    if top == 0.0:
        return np.ones(d.shape, dtype=bool)
    return np.abs(d) < level * top


def saturated_fraction(activation, spread, n=100_000, seed=0, level=SATURATION_LEVEL):
    """Fraction of units saturated when their pre-activations are ``z ~ N(0, spread^2)``.

    A Monte-Carlo estimate from ``n`` draws (standard error at most ``0.5 / sqrt(n)``).
    """
    z = np.random.default_rng(seed).normal(0.0, float(spread), size=int(n))
    return float(np.mean(saturation_mask(activation, z, level)))


def draw_saturation(activation="sigmoid", spread=1.0, axes=None, *, n=20_000, seed=0,
                    level=SATURATION_LEVEL):
    """Two panels for one activation and one input spread ``s`` (``spread``).

    Left: ``f`` (solid) and ``f'`` (dashed) over ``z``, the density of ``z ~ N(0, s^2)``
    (grey, scaled to fit) and the saturated region shaded red. Right: the histogram of
    ``|f'(z)|`` over ``n`` draws of ``z``, as a fraction of its maximum, with the saturated
    fraction in the title.

    Returns the two Axes.
    """
    import matplotlib.pyplot as plt

    act = _activation(activation)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9.0, 3.4), layout="constrained")
    ax_f, ax_h = axes
    spread = float(spread)
    span = max(6.0, 3.0 * spread)
    zz = np.linspace(-span, span, 801)
    mask = saturation_mask(act, zz, level)
    ax_f.fill_between(zz, -1.1, 1.6, where=mask, color="tab:red", alpha=0.12, lw=0,
                      label="saturated")
    density = np.exp(-0.5 * (zz / spread) ** 2)
    ax_f.fill_between(zz, 0, density, color="0.5", alpha=0.25, lw=0,
                      label=f"density of z (spread s = {spread:.3g})")
    ax_f.plot(zz, np.clip(act(zz), -1.1, 1.6), lw=2, label=f"{act.name}(z)")
    ax_f.plot(zz, act.derivative(zz), "--", lw=2, label=f"{act.name}'(z)")
    ax_f.set_ylim(-1.1, 1.6)
    ax_f.set_xlim(-span, span)
    ax_f.set_xlabel("pre-activation z")
    ax_f.set_ylabel("value (f clipped to the axes)")
    ax_f.set_title(f"{act.name}: f, f' and where z falls")
    ax_f.legend(fontsize="small", loc="upper left")

    z = np.random.default_rng(seed).normal(0.0, spread, size=int(n))
    top = max_derivative(act)
    rel = np.abs(act.derivative(z)) / top if top > 0 else np.zeros_like(z)
    frac = float(np.mean(saturation_mask(act, z, level)))
    ax_h.axvspan(0, level, color="tab:red", alpha=0.25, lw=0,
                 label=f"saturated: |f'| < {level:.0%} of max")
    ax_h.hist(rel, bins=np.linspace(0, 1, 51), weights=np.full(z.shape, 1 / z.size),
              color="tab:blue")
    ax_h.set_xlim(-0.02, 1.02)
    ax_h.set_xlabel("|f'(z)| / max |f'|")
    ax_h.set_ylabel("fraction of units")
    ax_h.set_title(f"s = {spread:.3g}: {frac:.1%} of units saturated")
    ax_h.legend(fontsize="small", loc="upper center")
    return ax_f, ax_h


def saturation_explorer(activations=EXPLORER_ACTIVATIONS, spread=(0.1, 10.0, 0.1)):
    """A drop-down for the activation and a slider for the spread ``s``, redrawing
    :func:`draw_saturation` (needs a running kernel: Jupyter, Binder or Colab).

    Returns an ``ipywidgets.interactive``.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    def draw(activation, s):
        fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.4), layout="constrained")
        draw_saturation(activation, s, axes)
        plt.show()
        plt.close(fig)

    lo, hi, step = spread
    panel = widgets.interactive(
        draw,
        activation=widgets.Dropdown(options=list(activations), value=activations[0],
                                    description="activation"),
        s=widgets.FloatSlider(value=1.0, min=lo, max=hi, step=step, description="spread s",
                                  continuous_update=False),
    )
    return panel


def saturation_grid(activations=("sigmoid", "tanh", "relu", "leaky_relu"),
                    spreads=(0.5, 2.0, 5.0, 10.0), *, n=20_000, seed=0, level=SATURATION_LEVEL):
    """Static twin of :func:`saturation_explorer`: one row per activation, one column per
    spread ``s``; each panel is the histogram of ``|f'(z)| / max |f'|`` for
    ``z ~ N(0, s^2)``, titled with the saturated fraction.

    Returns the Figure.
    """
    acts = [_activation(a) for a in activations]
    fig, axes = grid_axes(len(acts) * len(spreads), ncols=len(spreads), panel_size=(2.7, 2.0),
                          sharex=True, sharey=True)
    for i, act in enumerate(acts):
        top = max_derivative(act)
        for j, spread in enumerate(spreads):
            ax = axes[i * len(spreads) + j]
            z = np.random.default_rng(seed).normal(0.0, float(spread), size=int(n))
            rel = np.abs(act.derivative(z)) / top if top > 0 else np.zeros_like(z)
            frac = float(np.mean(saturation_mask(act, z, level)))
            ax.axvspan(0, level, color="tab:red", alpha=0.3, lw=0)
            ax.hist(rel, bins=np.linspace(0, 1, 26), weights=np.full(z.shape, 1 / z.size),
                    color="tab:blue")
            ax.set_title(f"{act.name}, s={float(spread):.3g}: {frac:.0%}", fontsize="small")
            ax.set_ylim(0, 1.05)
            ax.tick_params(labelbottom=True, labelleft=True, labelsize="x-small")
            if i == len(acts) - 1:
                ax.set_xlabel("|f'(z)| / max |f'|")
            if j == 0:
                ax.set_ylabel("fraction of units")
    fig.suptitle("Share of a layer's units at each slope size (red band: saturated, "
                 f"|f'| < {level:.0%} of max); title: saturated fraction")
    return fig


def plot_activation_grid(names=("step", "sigmoid", "tanh", "relu", "leaky_relu", "linear"),
                         z=None):
    """Every element-wise activation with its derivative, one small panel each.

    Returns the Figure.
    """
    from .functions import plot_activation

    fig, axes = grid_axes(len(names), ncols=3, panel_size=(3.3, 2.6), sharex=True, sharey=True)
    zz = np.linspace(-4.0, 4.0, 801) if z is None else z
    for ax, name in zip(axes, names):
        plot_activation(name, zz, ax=ax, title=name)
        ax.set_ylim(-1.5, 1.5)
        ax.legend(fontsize="x-small", loc="upper left")
        ax.tick_params(labelbottom=True, labelleft=True)
    return fig


__all__ = [
    "EXPLORER_ACTIVATIONS",
    "SATURATION_LEVEL",
    "draw_saturation",
    "max_derivative",
    "plot_activation_grid",
    "saturated_fraction",
    "saturation_explorer",
    "saturation_grid",
    "saturation_mask",
]
