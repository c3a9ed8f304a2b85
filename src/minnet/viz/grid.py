"""Small multiples for the static book, and sliders for readers with a kernel.

Both take the same *drawing function*: a function whose keyword arguments are the
quantities a reader can vary, plus ``ax``, and which draws into ``ax``::

    def draw_neuron(w=1.0, b=0.0, ax=None):
        z = np.linspace(-5, 5, 200)
        ax.plot(z, minnet.activations.sigmoid(w * z + b))
        ax.set_xlabel("input x")
        ax.set_ylabel("output a")
        return ax

    viz.explorer(draw_neuron, w=(-4.0, 4.0, 0.1), b=(-3.0, 3.0, 0.1))   # live sliders
    viz.static_grid(draw_neuron, [-2, 0.5, 1, 4], param="w")            # the static twin

The first cell is tagged ``remove-output`` (the built HTML never shows a dead slider);
the second tells the same story as a row of panels, one per slider value.
"""

from __future__ import annotations

import inspect
import warnings

import matplotlib.pyplot as plt

from ._common import fmt, grid_axes

__all__ = ["static_grid", "explorer"]


def _panel_title(value, param, i, titles):
    if callable(titles):
        return titles(value)
    if titles is not None:
        return titles[i]
    if isinstance(value, dict):
        return ", ".join(f"{k} = {fmt(v)}" for k, v in value.items())
    if param is not None:
        return f"{param} = {fmt(value)}"
    return fmt(value)


def static_grid(fn, values, param=None, *, ncols=None, fixed=None, titles=None,
                suptitle=None, panel_size=(3.2, 2.6), sharex=True, sharey=True):
    """Draw ``fn`` once per value, in a grid of small panels: the static twin of a slider.

    What the figure shows: the same plot repeated across a slider's range, one panel per
    value, in reading order, each titled with its value (``w = 0.5``). Shared axes (the
    default) make the panels directly comparable.

    Parameters
    ----------
    fn : callable
        The drawing function; it is called once per panel as
        ``fn(ax=ax, **fixed, **{param: value})`` when ``param`` is given,
        ``fn(ax=ax, **fixed, **value)`` when ``value`` is a dict (several sliders at once),
        and ``fn(value, ax=ax, **fixed)`` otherwise.
    values : Sequence
        One entry per panel: slider values, or dicts of them.
    param : str, optional
        The keyword argument of ``fn`` that ``values`` sets.
    ncols : int, optional
        Panels per row (default: up to 4).
    fixed : dict, optional
        Keyword arguments passed unchanged to every call.
    titles : list of str, callable or bool, optional
        Panel titles; default ``"<param> = <value>"``. A callable maps a value to its
        title; ``False`` keeps whatever title ``fn`` set.
    suptitle : str, optional
        A title over the whole figure.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig.axes`` holds the ``len(values)`` panels first.
    """
    values = list(values)
    fixed = dict(fixed or {})
    fig, axes = grid_axes(len(values), ncols=ncols, panel_size=panel_size,
                          sharex=sharex, sharey=sharey)
    for i, (ax, value) in enumerate(zip(axes, values, strict=True)):
        if isinstance(value, dict):
            fn(ax=ax, **fixed, **value)
        elif param is not None:
            fn(ax=ax, **fixed, **{param: value})
        else:
            fn(value, ax=ax, **fixed)
        if titles is not False:
            ax.set_title(_panel_title(value, param, i, titles), fontsize="medium")
    if sharex or sharey:
        for ax in axes:  # shared axes hide inner tick labels; small multiples read better with them
            ax.tick_params(labelbottom=True, labelleft=True)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def explorer(fn, *, fixed=None, figsize=(5.0, 3.6), continuous_update=False, **sliders):
    """Live sliders over a drawing function, for readers running a kernel.

    Returns an ``ipywidgets.interactive``: one control per keyword in ``sliders``, and a
    fresh plot from ``fn(ax=ax, **fixed, **values)`` each time a control changes. The
    controls follow ipywidgets' abbreviations: ``(min, max, step)`` gives a slider, a list
    gives a drop-down, ``True``/``False`` a checkbox, a widget is used as it is. Each
    control starts at ``fn``'s default for that argument, when it has one.

    In a chapter, tag the cell ``remove-output`` and follow it with the
    :func:`static_grid` twin, so the HTML shows a figure instead of a dead slider.

    Parameters
    ----------
    fn : callable
        The drawing function (see :func:`static_grid`); it must accept ``ax``.
    fixed : dict, optional
        Keyword arguments passed unchanged to every call.
    figsize : (float, float)
        Size of the redrawn figure, in inches.
    continuous_update : bool
        Redraw while a slider is dragged (smooth for cheap plots) or only on release
        (the default, kind to plots that train a model).
    **sliders
        ``name=abbreviation`` for each argument the reader controls.

    Returns
    -------
    ipywidgets.interactive
    """
    import ipywidgets as widgets

    fixed = dict(fixed or {})
    try:
        defaults = {name: p.default for name, p in inspect.signature(fn).parameters.items()}
    except (TypeError, ValueError):
        defaults = {}
    params = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                default=defaults.get(name, inspect.Parameter.empty))
              for name in sliders]

    def draw(**values):
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        fn(ax=ax, **fixed, **values)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*non-interactive.*")
            plt.show()
        plt.close(fig)

    draw.__signature__ = inspect.Signature(params)
    panel = widgets.interactive(draw, **sliders)
    for control in panel.children:
        if hasattr(control, "continuous_update"):
            control.continuous_update = continuous_update
    return panel
