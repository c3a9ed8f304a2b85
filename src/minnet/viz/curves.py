"""Training curves: the loss (and metrics) recorded epoch by epoch by ``fit``."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from ._common import grid_axes

__all__ = ["plot_history"]

_PRETTY = {
    "loss": "loss",
    "accuracy": "accuracy",
    "acc": "accuracy",
    "mae": "mean absolute error",
    "mean_absolute_error": "mean absolute error",
    "learning_rate": "learning rate",
    "lr": "learning rate",
}


def _history_dict(history):
    """The ``{name: [value per epoch]}`` dict of a minnet or Keras History, or a dict."""
    if isinstance(history, dict):
        return history
    if hasattr(history, "history") and isinstance(history.history, dict):
        return history.history
    raise TypeError(
        "plot_history expects the History returned by fit() (minnet or Keras), or its "
        f".history dict; got {type(history).__name__}"
    )


def plot_history(history, metrics=None, ax=None, *, mark_best=False, logy=False, title=None):
    """Plot training curves from a minnet or Keras ``History``.

    What the plot shows: one panel per quantity, the value on the training data after
    each epoch (solid line) and, when ``fit`` was given validation data, the value on the
    validation data (dashed line, the ``val_`` entry). The x axis counts epochs from 1,
    as Keras's progress bar does. A training curve that keeps falling while the
    validation curve turns up is the picture of overfitting.

    Parameters
    ----------
    history : History or dict
        What ``model.fit`` returned (minnet or Keras; both keep a ``.history`` dict of
        lists), or that dict itself.
    metrics : str or list of str, optional
        Metrics to draw on panels of their own beside the loss, e.g. ``"accuracy"``.
        The loss panel is always drawn first.
    ax : Axes or Sequence of Axes, optional
        Where to draw: one Axes per panel (loss first). New ones are created if omitted.
    mark_best : bool
        Mark the epoch with the lowest validation loss (what ``EarlyStopping`` with
        ``restore_best_weights=True`` would keep).
    logy : bool
        Use a logarithmic y axis for the loss panel.
    title : str, optional
        A title for the whole figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    hist = _history_dict(history)
    if isinstance(metrics, str):
        metrics = [metrics]
    names = ["loss"] + [m for m in (metrics or []) if m != "loss"]
    for name in names:
        if name not in hist:
            available = ", ".join(sorted(k for k in hist if not k.startswith("val_")))
            raise KeyError(
                f"the history has no {name!r}; it records: {available or 'nothing'}. "
                "Metrics must be named in compile(metrics=[...]) to be recorded."
            )

    if ax is None:
        fig, axes = grid_axes(len(names), ncols=len(names), panel_size=(4.6, 3.4), sharex=True)
    else:
        axes = list(np.atleast_1d(np.asarray(ax, dtype=object)).ravel())
        if len(axes) != len(names):
            raise ValueError(f"need {len(names)} Axes (one for {', '.join(names)}), got {len(axes)}")
        fig = axes[0].figure

    for name, panel in zip(names, axes, strict=True):
        train = np.asarray(hist[name], dtype=float)
        epochs = np.arange(1, len(train) + 1)
        panel.plot(epochs, train, marker="o" if len(epochs) <= 20 else None, ms=3, label="training")
        val = hist.get("val_" + name)
        if val is not None and len(val):
            val = np.asarray(val, dtype=float)
            panel.plot(np.arange(1, len(val) + 1), val, "--", marker="o" if len(val) <= 20 else None,
                       ms=3, label="validation")
            if mark_best and name == "loss":
                best = int(np.nanargmin(val))
                panel.plot(best + 1, val[best], "*", ms=12, color="black",
                           label=f"best validation (epoch {best + 1})")
        pretty = _PRETTY.get(name, name.replace("_", " "))
        panel.set_xlabel("epoch")
        panel.set_ylabel(pretty)
        panel.set_title(pretty)
        panel.xaxis.set_major_locator(MaxNLocator(integer=True))
        if logy and name == "loss":
            panel.set_yscale("log")
        panel.grid(alpha=0.3)
        panel.legend()
    if title:
        fig.suptitle(title)
    return fig
