"""Chapter 3: a loss and its gradient as one prediction moves against its target.

The drawing function :func:`draw_loss_and_gradient` plots, for one output unit with target
``y`` (0 or 1), the mean squared error and the binary cross-entropy as functions of the
prediction ``p`` (solid lines), their derivatives (dashed lines), and a marker at the
prediction a reader chose. With ``wrt="z"`` the horizontal axis is the logit ``z`` of a
sigmoid unit, ``p = sigmoid(z)``, and the gradients are taken with respect to ``z``.

:func:`loss_explorer` puts sliders on it (for readers with a kernel) and
:func:`loss_small_multiples` draws the static twin for the HTML book.
"""

from __future__ import annotations

import numpy as np

from ..activations import sigmoid
from ..errors import ConfigError
from ._common import get_ax

__all__ = ["curves", "draw_loss_and_gradient", "loss_explorer", "loss_small_multiples"]

_EPS = 1e-7  # Keras's clipping of probabilities


def curves(y, wrt="p", num=401):
    """The curves drawn by :func:`draw_loss_and_gradient`, as a dict of arrays.

    Keys: ``"x"`` (the values of ``p`` or ``z``), ``"mse"``, ``"bce"``, ``"d_mse"``,
    ``"d_bce"`` (derivatives with respect to ``p``, or to ``z`` when ``wrt="z"``).
    Formulas for one output and one example (the batch and output means divide by 1)::

        mse = (p - y)**2                     d mse / dp = 2 (p - y)
        bce = -(y log p + (1-y) log(1-p))    d bce / dp = (p - y) / (p (1 - p))
        with p = sigmoid(z):                 d mse / dz = 2 (p - y) p (1 - p)
                                             d bce / dz = p - y
    """
    if wrt == "p":
        x = np.linspace(0.01, 0.99, num)
        p = x
    elif wrt == "z":
        x = np.linspace(-6.0, 6.0, num)
        p = sigmoid(x)
    else:
        raise ConfigError(
            f"wrt must be 'p' (against the probability) or 'z' (against the logit), got {wrt!r}."
        )
    return dict(x=x, **_values(p, y, wrt))


def _values(p, y, wrt):
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    mse = (p - y) ** 2
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    if wrt == "p":
        d_mse, d_bce = 2 * (p - y), (p - y) / (p * (1 - p))
    else:
        d_mse, d_bce = 2 * (p - y) * p * (1 - p), p - y
    return {"mse": mse, "bce": bce, "d_mse": d_mse, "d_bce": d_bce}


def draw_loss_and_gradient(p=0.7, y=1, wrt="p", ax=None, ylim=None, legend=True):
    """Draw MSE and binary cross-entropy, and their derivatives, against a target ``y``.

    What the plot shows: for target ``y`` (0 or 1) the two losses (solid) and their
    derivatives (dashed) as the prediction varies, with dots at the chosen prediction and
    their values in the legend. Cross-entropy grows without bound as the prediction moves
    to the wrong end; its derivative with respect to ``p`` does too, and with respect to the
    logit ``z`` it is the plain difference ``p - y``. The MSE gradient with respect to ``z``
    vanishes at *both* ends, including the confidently wrong one.

    Parameters
    ----------
    p : float
        The prediction: a probability in (0, 1) when ``wrt="p"``, a logit when ``wrt="z"``.
    y : int
        The target, 0 or 1.
    wrt : str
        Draw against the probability ``p`` or against the logit ``z`` (``p = sigmoid(z)``).
    ax : Axes, optional
    ylim : (float, float), optional
        Vertical range. By default (-4, 4) against ``p`` (the cross-entropy gradient with
        respect to ``p`` is unbounded) and (-1.25, 2.5) against ``z``, where both gradients
        lie between -1 and 1/2 and would be squeezed into a few pixels otherwise.
    legend : bool
        Draw a legend with the values at the chosen prediction (small multiples turn it
        off and label the curves once for the whole figure).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if y not in (0, 1):  # checked before any conversion: int(0.5) would silently be 0
        raise ConfigError(
            f"the target y must be 0 or 1, got {y!r}. The explorer draws one yes-or-no "
            "output; a soft target has no panel of its own."
        )
    y = int(y)
    point = float(p)
    if wrt == "p" and not 0.0 < point < 1.0:
        raise ConfigError(
            f"with wrt='p' the prediction p must be a probability strictly between 0 and 1, "
            f"got {p!r}. To place a logit, pass wrt='z'."
        )
    ax = get_ax(ax)
    c = curves(y, wrt)
    if ylim is None:
        ylim = (-4.0, 4.0) if wrt == "p" else (-1.25, 2.5)
    here = _values(sigmoid(np.float64(point)) if wrt == "z" else point, y, wrt)
    var = "p" if wrt == "p" else "z"
    ax.axhline(0.0, color="0.8", lw=0.8, zorder=0)
    colors = {"mse": "tab:blue", "bce": "tab:orange"}
    names = {"mse": "MSE", "bce": "BCE"}
    for key in ("mse", "bce"):
        ax.plot(
            c["x"], c[key], color=colors[key], lw=2, label=f"{names[key]} = {float(here[key]):.3g}"
        )
        ax.plot(
            c["x"],
            c["d_" + key],
            "--",
            color=colors[key],
            lw=1.5,
            label=f"d{names[key]}/d{var} = {float(here['d_' + key]):.3g}",
        )
        for suffix in ("", "d_"):
            value = float(here[suffix + key])
            if ylim[0] <= value <= ylim[1]:
                ax.plot([point], [value], "o", color=colors[key], ms=6)
    ax.axvline(point, color="0.5", lw=0.8, ls=":")
    ax.set_ylim(*ylim)
    ax.set_xlabel("prediction p" if wrt == "p" else "logit z   (p = sigmoid(z))")
    ax.set_ylabel("loss (solid), gradient (dashed)")
    ax.set_title(f"target y = {y}, {var} = {point:.3g}")
    ax.grid(alpha=0.3)
    if legend:
        if wrt == "p":
            loc = "lower left" if y == 1 else "upper left"
        else:  # against z the curves for target 1 leave the upper right free
            loc = "upper right" if y == 1 else "upper left"
        ax.legend(fontsize="x-small", loc=loc)
    return ax


def loss_explorer(p=0.7, y=1):
    """Sliders over :func:`draw_loss_and_gradient`: the prediction, the target, and
    whether to differentiate with respect to ``p`` or the logit ``z``.

    Needs a kernel (Jupyter, Binder, Colab); returns an ``ipywidgets.interactive``.
    """
    import ipywidgets as widgets

    from .grid import explorer

    def draw(p=p, y=y, wrt="p", ax=None):
        if wrt == "z":  # the slider holds a probability; show the matching logit
            q = min(max(p, 1e-6), 1 - 1e-6)
            return draw_loss_and_gradient(np.log(q / (1 - q)), y, "z", ax=ax)
        return draw_loss_and_gradient(p, y, "p", ax=ax)

    return explorer(
        draw,
        figsize=(6.0, 4.2),
        continuous_update=True,
        p=widgets.FloatSlider(value=p, min=0.01, max=0.99, step=0.01, description="p"),
        y=widgets.ToggleButtons(options=[0, 1], value=y, description="target y"),
        wrt=widgets.ToggleButtons(
            options=[("d/dp", "p"), ("d/dz (logit)", "z")], value="p", description="gradient"
        ),
    )


def loss_small_multiples(ps=(0.05, 0.5, 0.95), targets=(1, 0), wrt="p"):
    """The static twin of :func:`loss_explorer`: one panel per (target, prediction).

    Rows are targets, columns predictions; with ``wrt="z"`` the predictions are
    converted to logits ``z = log(p / (1 - p))`` first. The curves are named once, in a
    legend above the panels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .grid import static_grid

    def to_x(q):
        return float(np.log(q / (1 - q))) if wrt == "z" else float(q)

    values = [{"p": to_x(q), "y": t} for t in targets for q in ps]
    var = "p" if wrt == "p" else "z"
    fig = static_grid(
        draw_loss_and_gradient,
        values,
        ncols=len(ps),
        fixed={"wrt": wrt, "legend": False},
        titles=lambda v: f"target y = {v['y']},  {var} = {v['p']:.3g}",
        panel_size=(3.4, 2.7),
    )
    handles, _ = fig.axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        ["MSE", f"dMSE/d{var}", "BCE", f"dBCE/d{var}"],
        loc="outside upper center",
        ncols=4,
        frameon=False,
    )
    return fig
