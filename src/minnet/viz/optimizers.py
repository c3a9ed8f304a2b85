"""Optimizers on two-dimensional loss surfaces (chapter 6).

A *surface* is a function ``f(p)`` of a point ``p = (p_1, p_2)`` with its gradient. Three
are built in, each showing one difficulty of gradient descent:

* ``"bowl"``: the ill-conditioned quadratic ``f = (p_1^2 + 25 p_2^2) / 2``; its Hessian has
  eigenvalues 1 and 25, so plain gradient descent is stable only for ``eta < 2/25``;
* ``"valley"``: Rosenbrock's function ``f = (1 - p_1)^2 + 100 (p_2 - p_1^2)^2``, a curved
  narrow valley with its minimum at ``(1, 1)``;
* ``"saddle"``: ``f = p_1^2 / 2 + p_2^4 / 4 - p_2^2 / 2``, a saddle point at the origin
  between two minima at ``(0, +-1)``.

:func:`trajectory` runs one of ``minnet.optimizers`` on a surface (the optimizer's own
``apply``, so the path is exactly what ``fit`` would do with these gradients);
:func:`draw_trajectories` draws several paths over the surface's contours;
:func:`draw_run` is the drawing function behind :func:`trajectory_explorer` (sliders: needs a
kernel) and :func:`trajectory_small_multiples` (its static twin).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, unknown_name
from ._common import get_ax, grid_axes

__all__ = [
    "OPTIMIZERS",
    "SURFACES",
    "Surface",
    "compare_optimizers",
    "draw_run",
    "draw_surface",
    "draw_trajectories",
    "make_optimizer",
    "trajectory",
    "trajectory_explorer",
    "trajectory_small_multiples",
]


@dataclass(frozen=True)
class Surface:
    """A loss surface over the plane: value, gradient, a window to draw, the minima."""

    name: str
    title: str
    f: object
    grad: object
    xlim: tuple
    ylim: tuple
    start: tuple
    minima: tuple
    levels: object
    steps: int
    learning_rates: dict


def _bowl(p):
    return 0.5 * (p[0] ** 2 + 25.0 * p[1] ** 2)


def _bowl_grad(p):
    return np.array([p[0], 25.0 * p[1]])


def _valley(p):
    return (1.0 - p[0]) ** 2 + 100.0 * (p[1] - p[0] ** 2) ** 2


def _valley_grad(p):
    return np.array([-2.0 * (1.0 - p[0]) - 400.0 * p[0] * (p[1] - p[0] ** 2),
                     200.0 * (p[1] - p[0] ** 2)])


def _saddle(p):
    return 0.5 * p[0] ** 2 + 0.25 * p[1] ** 4 - 0.5 * p[1] ** 2


def _saddle_grad(p):
    return np.array([p[0], p[1] ** 3 - p[1]])


#: The loss surfaces of chapter 6, by name, each a :class:`Surface` with its gradient,
#: its plot ranges, its starting point and a learning rate per optimizer.
SURFACES = {
    "bowl": Surface("bowl", "ill-conditioned bowl", _bowl, _bowl_grad, (-4.5, 4.5), (-2.0, 2.0),
                    (-4.0, 1.5), ((0.0, 0.0),), np.linspace(0.5, 7.0, 8) ** 2, 100,
                    {"sgd": 0.07, "momentum": 0.01, "nesterov": 0.01, "adagrad": 1.0,
                     "rmsprop": 0.1, "adam": 0.3}),
    "valley": Surface("valley", "Rosenbrock valley", _valley, _valley_grad, (-1.7, 1.7),
                      (-0.7, 1.9), (-1.2, 1.0), ((1.0, 1.0),), np.logspace(-1, 3.3, 12), 500,
                      {"sgd": 0.002, "momentum": 0.001, "nesterov": 0.001, "adagrad": 1.0,
                       "rmsprop": 0.01, "adam": 0.1}),
    "saddle": Surface("saddle", "saddle", _saddle, _saddle_grad, (-2.5, 2.5), (-1.8, 1.8),
                      (2.0, 1e-4), ((0.0, 1.0), (0.0, -1.0)), np.linspace(-0.24, 3.0, 14), 60,
                      {"sgd": 0.1, "momentum": 0.02, "nesterov": 0.02, "adagrad": 0.3,
                       "rmsprop": 0.02, "adam": 0.05}),
}

#: The optimizers the explorer offers, as name -> (minnet class name, settings besides lr).
OPTIMIZERS = {
    "sgd": ("SGD", {}),
    "momentum": ("SGD", {"momentum": 0.9}),
    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "adagrad": ("Adagrad", {}),
    "rmsprop": ("RMSprop", {}),
    "adam": ("Adam", {}),
}

_COLORS = {"sgd": "#000000", "momentum": "#0072b2", "nesterov": "#56b4e9",
           "adagrad": "#009e73", "rmsprop": "#d55e00", "adam": "#cc79a7"}
_STYLES = {"sgd": "-", "momentum": "-", "nesterov": "--", "adagrad": "-.",
           "rmsprop": ":", "adam": "-"}


def _surface(surface):
    if isinstance(surface, Surface):
        return surface
    if surface in SURFACES:
        return SURFACES[surface]
    raise unknown_name("surface", surface, list(SURFACES))


def make_optimizer(name, learning_rate):
    """A fresh ``minnet.optimizers`` object from a name in :data:`OPTIMIZERS`."""
    from .. import optimizers

    if name not in OPTIMIZERS:
        raise unknown_name("optimizer", name, list(OPTIMIZERS))
    kind, settings = OPTIMIZERS[name]
    return getattr(optimizers, kind)(learning_rate=learning_rate, **settings)


def trajectory(optimizer, surface="bowl", start=None, steps=None, learning_rate=None):
    """The points visited by ``optimizer`` on ``surface``, an array of shape ``(steps+1, 2)``.

    ``optimizer`` is a ``minnet.optimizers.Optimizer`` (it is reset first) or a name in
    :data:`OPTIMIZERS` together with ``learning_rate``. ``steps`` defaults to the surface's
    (100 on the bowl, 500 in the valley, 60 on the saddle). The point is a float64 array updated
    in place by ``optimizer.apply([p], [grad(p)])``, exactly as ``fit`` updates weights. A path
    that leaves every sensible range (``|p| > 1e6``, or not finite) stops there: the rows
    after it are NaN.
    """
    s = _surface(surface)
    if isinstance(optimizer, str):
        if learning_rate is None:
            raise ConfigError("Give the learning_rate when you name the optimizer, "
                              f"e.g. trajectory({optimizer!r}, learning_rate=0.01).")
        optimizer = make_optimizer(optimizer, learning_rate)
    optimizer.reset()
    steps = s.steps if steps is None else int(steps)
    p = np.array(s.start if start is None else start, dtype=np.float64)
    if p.shape != (2,):
        raise ConfigError(f"start must be a point (p1, p2), got {start!r}.")
    path = np.full((steps + 1, 2), np.nan)
    path[0] = p
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, steps + 1):
            optimizer.apply([p], [s.grad(p)])
            if not np.all(np.isfinite(p)) or np.abs(p).max() > 1e6:
                break
            path[step] = p
    return path


def draw_surface(surface="bowl", ax=None, resolution=200):
    """Contours of ``surface`` over its window, its minima marked with a star."""
    s = _surface(surface)
    ax = get_ax(ax, figsize=(5.0, 4.0))
    x = np.linspace(*s.xlim, resolution)
    y = np.linspace(*s.ylim, resolution)
    X, Y = np.meshgrid(x, y)
    Z = s.f(np.array([X, Y]))
    ax.contour(X, Y, Z, levels=s.levels, colors="0.7", linewidths=0.7)
    for m in s.minima:
        ax.plot(*m, marker="*", color="#e69f00", markersize=13, markeredgecolor="black",
                linestyle="none", zorder=5)
    ax.set_xlim(*s.xlim)
    ax.set_ylim(*s.ylim)
    ax.set_xlabel("parameter $p_1$")
    ax.set_ylabel("parameter $p_2$")
    ax.set_title(s.title, fontsize="medium")
    return ax


def draw_trajectories(paths, surface="bowl", ax=None, legend=True):
    """Draw ``paths`` (a dict ``label -> array (steps+1, 2)``) over ``surface``'s contours.

    A label that is an optimizer name in :data:`OPTIMIZERS` (or starts with one and a
    space) gets that optimizer's colour and line style, the same in every figure.
    """
    ax = draw_surface(surface, ax=ax)
    for label, path in paths.items():
        key = str(label).split(" ")[0]
        ax.plot(path[:, 0], path[:, 1], color=_COLORS.get(key), linestyle=_STYLES.get(key, "-"),
                linewidth=1.5, marker="o", markersize=2, label=label)
        ax.plot(*path[0], marker="s", color="black", markersize=5, linestyle="none")
    if legend and paths:
        ax.legend(fontsize="small", loc="best", framealpha=0.9)
    return ax


def compare_optimizers(surface="bowl", names=None, ax=None):
    """Every optimizer in ``names`` (default: all of :data:`OPTIMIZERS`) from the surface's
    start point with the surface's learning rate for it; returns ``(ax, paths)``."""
    s = _surface(surface)
    names = list(OPTIMIZERS) if names is None else list(names)
    paths = {f"{name} ({s.learning_rates[name]:g})": trajectory(name, s, learning_rate=s.learning_rates[name])
             for name in names}
    ax = draw_trajectories(paths, s, ax=ax)
    ax.set_title(f"{s.title}, {s.steps} steps", fontsize="medium")
    return ax, paths


def draw_run(optimizer="sgd", learning_rate=0.03, start_p1=None, start_p2=None,
             surface="bowl", steps=None, ax=None):
    """One optimizer's path on one surface, titled with its final loss: the drawing
    function behind the explorer and its small multiples."""
    s = _surface(surface)
    start = (s.start[0] if start_p1 is None else start_p1,
             s.start[1] if start_p2 is None else start_p2)
    path = trajectory(optimizer, s, start=start, steps=steps, learning_rate=learning_rate)
    steps = len(path) - 1
    ax = draw_trajectories({optimizer: path}, s, ax=ax, legend=False)
    finite = path[np.all(np.isfinite(path), axis=1)]
    if len(finite) < len(path):
        outcome = f"diverged at step {len(finite)}"
    else:
        outcome = f"loss after {steps} steps: {s.f(path[-1]):.3g}"
    ax.set_title(f"{optimizer}, lr = {learning_rate:.3g}\n{outcome}", fontsize="medium")
    return ax


def trajectory_explorer(surface="bowl", steps=None):
    """Controls for optimizer, learning rate (a logarithmic slider) and start point on one
    surface; live in Jupyter, Binder and Colab."""
    import ipywidgets as widgets

    from .grid import explorer

    s = _surface(surface)
    lr = widgets.FloatLogSlider(value=s.learning_rates["sgd"], base=10, min=-4, max=0.5,
                                step=0.05, description="learning_rate")
    p1 = widgets.FloatSlider(value=s.start[0], min=s.xlim[0], max=s.xlim[1], step=0.05,
                             description="start_p1")
    p2 = widgets.FloatSlider(value=s.start[1], min=s.ylim[0], max=s.ylim[1], step=0.05,
                             description="start_p2")
    return explorer(draw_run, fixed={"steps": steps, "surface": s.name}, figsize=(5.5, 4.4),
                    optimizer=list(OPTIMIZERS), learning_rate=lr, start_p1=p1, start_p2=p2)


def trajectory_small_multiples(runs, surface="bowl", steps=None, ncols=3):
    """The static twin of the explorer: one panel per run, each a dict of
    :func:`draw_run`'s arguments (``{"optimizer": "adam", "learning_rate": 0.1}``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    runs = list(runs)
    fig, axes = grid_axes(len(runs), ncols=ncols, panel_size=(3.6, 3.2))
    for ax, run in zip(axes, runs, strict=True):
        draw_run(**{"surface": surface, "steps": steps, **run}, ax=ax)
    return fig
