"""Histograms of what flows through each Dense layer: activations, gradients, weights."""

from __future__ import annotations

import numpy as np

from ._common import grid_axes, to_numpy

__all__ = ["KINDS", "plot_layer_histograms"]

#: The quantities :func:`plot_layer_histograms` can draw, with their axis and title labels.
KINDS = {
    "activations": ("activation $a$", "activations a = f(z)"),
    "preactivations": ("pre-activation $z$", "pre-activations z = xW + b"),
    "gradients": (r"gradient $\partial C/\partial W$", "weight gradients dC/dW"),
    "weights": ("weight $W$", "weights W"),
}


def _is_dense(layer):
    return type(layer).__name__ == "Dense"


def _describe(index, layer, W):
    act = getattr(layer, "activation", None)
    act_name = getattr(act, "name", None) or getattr(act, "__name__", None) or "linear"
    return f"layer {index}: Dense({W.shape[-1]}, {act_name})"


def _is_minnet(model):
    return all(hasattr(layer, "forward") for layer in model.layers)


def _kernel(layer):
    W = getattr(layer, "W", None)
    if W is None and hasattr(layer, "get_weights"):  # Keras: [kernel, bias]
        weights = layer.get_weights()
        W = weights[0] if weights else None
    return None if W is None else to_numpy(W)


def _collect(model, x, y, kind):
    """``[(panel title, values), ...]``, one entry per Dense layer, input side first."""
    layers = list(model.layers)
    if kind != "weights" and not _is_minnet(model):
        raise TypeError(
            f"kind={kind!r} needs a minnet model (its layers keep x, z, a after forward); "
            "for a Keras model only kind='weights' is supported"
        )
    if kind in ("activations", "preactivations"):
        # One forward pass over the whole batch (building the model if needed): each Dense
        # layer then holds its z and a for every example of x.
        model.predict(x, batch_size=len(x))
        values = [np.asarray(layer.a if kind == "activations" else layer.z)
                  for layer in layers if _is_dense(layer)]
    elif kind == "gradients":
        if y is None:
            raise ValueError("kind='gradients' needs the targets: plot_layer_histograms(model, x, y, kind='gradients')")
        grads = list(model.gradients(x, y))
        values, start = [], 0
        for layer in layers:
            count = len(getattr(layer, "params", []))
            if _is_dense(layer):
                values.append(np.asarray(grads[start]))  # dW comes first, then db
            start += count
    elif kind == "weights":
        values = [_kernel(layer) for layer in layers if _is_dense(layer)]
    else:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}; got {kind!r}")

    dense = [layer for layer in layers if _is_dense(layer)]
    if not dense:
        raise ValueError("the model has no Dense layers to draw")
    return [(_describe(i, layer, _kernel(layer)), v)
            for i, (layer, v) in enumerate(zip(dense, values, strict=True), start=1)]


def plot_layer_histograms(model, x, y=None, kind="activations", *, bins=40, ncols=None,
                          sharex=True, title=None):
    """One histogram per Dense layer of what passes through it (small multiples).

    What the plot shows, layer by layer from the input side (chapter 9):

    * ``kind="activations"``: the outputs ``a = f(z)`` of each layer on the batch ``x``.
      Piled up at a sigmoid's 0 and 1 (or tanh's -1 and 1) means saturated units;
      a shrinking spread from layer to layer means the signal is dying out.
    * ``kind="preactivations"``: the weighted sums ``z = x W + b`` before the activation.
    * ``kind="gradients"``: the weight gradients ``dC/dW`` from ``model.gradients(x, y)``.
      Narrowing towards the input side is the vanishing-gradient problem; widening,
      the exploding one.
    * ``kind="weights"``: the kernels ``W`` (also works for a Keras model).

    Each panel gives the standard deviation of its values. With ``sharex=True`` all panels
    use the same bins, so widths can be compared at a glance.

    Parameters
    ----------
    model : ~minnet.model.Sequential
        The model (or a Keras model, for ``kind="weights"``).
    x : ndarray
        The input batch sent forward.
    y : ndarray, optional
        Targets; required for ``kind="gradients"``.
    bins : int
        Histogram bins.
    ncols : int, optional
        Panels per row (default: up to 4).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}; got {kind!r}")
    panels = _collect(model, x, y, kind)
    xlabel, what = KINDS[kind]
    flat = [np.asarray(v, dtype=float).ravel() for _, v in panels]
    if sharex:
        everything = np.concatenate(flat)
        edges = np.histogram_bin_edges(everything[np.isfinite(everything)], bins=bins)
    fig, axes = grid_axes(len(panels), ncols=ncols, sharex=sharex)
    for ax, (label, _), values in zip(axes, panels, flat, strict=True):
        values = values[np.isfinite(values)]
        ax.hist(values, bins=edges if sharex else bins, color="#1f77b4", alpha=0.85)
        ax.set_title(label, fontsize="medium")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("count")
        ax.text(0.97, 0.93, f"std = {values.std():.3g}", transform=ax.transAxes,
                ha="right", va="top", fontsize="small",
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
        ax.tick_params(labelbottom=True)
    fig.suptitle(title if title is not None else f"Distribution of {what}, layer by layer")
    return fig
