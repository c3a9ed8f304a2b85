"""Watching a training run (chapter 10): the loss and the update-to-weight ratio, step by
step, for a learning rate and an input scale a reader chooses; and a grid of images with
their labels, for looking at the data.

:func:`watch_training` trains a small ``minnet`` classifier with ``train_on_batch`` and
records, after every step, the batch loss and the update-to-weight ratio of the first
kernel, ``||W_after - W_before|| / ||W_before||``. :func:`draw_training_run` draws one such
run; it is the drawing function behind :func:`training_explorer` (sliders: needs a kernel)
and :func:`training_small_multiples` (its static twin). :func:`draw_digits` shows images
with the labels a data set gives them.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from ._common import get_ax, grid_axes

__all__ = [
    "GOOD_BAND",
    "draw_digits",
    "draw_training_run",
    "training_explorer",
    "training_small_multiples",
    "watch_training",
]

#: The band of update-to-weight ratios around the rule of thumb of 1e-3.
GOOD_BAND = (1e-4, 1e-2)


def watch_training(x, y, learning_rate=0.1, input_scale=1.0, steps=60, batch_size=32,
                   hidden=32, seed=0):
    """Train ``Dense(hidden, relu) -> Dense(10, softmax)`` with plain SGD on ``input_scale *
    x`` for ``steps`` mini-batches (in order, wrapping around) and record every step.

    Returns a dict of float arrays with one entry per step: ``"loss"`` (the batch loss
    before the step; NaN after a divergence) and ``"ratio"`` (the update-to-weight ratio of
    the first kernel). A run that diverges stops early; the rest of both arrays is NaN.
    """
    import minnet

    if learning_rate <= 0 or input_scale <= 0:
        raise ConfigError(
            f"learning_rate and input_scale must be positive, got {learning_rate!r} and "
            f"{input_scale!r}."
        )
    x = np.asarray(x, dtype=np.float32) * np.float32(input_scale)
    model = minnet.Sequential([minnet.Dense(hidden, "relu"), minnet.Dense(10, "softmax")],
                              seed=seed)
    model.build((None, x.shape[1]))
    model.compile(minnet.optimizers.SGD(learning_rate), "sparse_categorical_crossentropy")
    loss = np.full(steps, np.nan)
    ratio = np.full(steps, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps):
            start = (step * batch_size) % len(x)
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            before = model.layers[0].W.astype(np.float64)
            value = model.train_on_batch(xb, yb)
            after = model.layers[0].W.astype(np.float64)
            if not np.isfinite(value) or not np.all(np.isfinite(after)):
                break
            loss[step] = value
            ratio[step] = np.linalg.norm(after - before) / np.linalg.norm(before)
    return {"loss": loss, "ratio": ratio}


def draw_training_run(learning_rate=0.1, input_scale=1.0, data=None, steps=60, seed=0, ax=None):
    """The update-to-weight ratio of one run, step by step, on a log scale, with the band
    1e-4 to 1e-2 around the rule of thumb 1e-3 shaded; the title gives the settings and the
    last loss. ``data`` is ``(x, y)``: flattened images scaled to [0, 1] and their labels."""
    if data is None:
        raise ConfigError("draw_training_run needs data=(x, y): images as rows, and labels.")
    run = watch_training(*data, learning_rate=learning_rate, input_scale=input_scale,
                         steps=steps, seed=seed)
    ax = get_ax(ax)
    ax.axhspan(*GOOD_BAND, color="0.9", zorder=0)
    steps_axis = np.arange(1, steps + 1)
    ax.semilogy(steps_axis, run["ratio"], color="#0072b2")
    ax.set_xlabel("training step")
    ax.set_ylabel("update / weight ratio, layer 1")
    finite = run["loss"][np.isfinite(run["loss"])]
    if len(finite) < steps:
        outcome = f"diverged at step {len(finite) + 1}"
    else:
        outcome = f"last batch loss {finite[-1]:.3g}"
    ax.set_title(f"lr = {learning_rate:.3g}, inputs x {input_scale:.3g}\n{outcome}",
                 fontsize="medium")
    return ax


def training_explorer(data, steps=60):
    """Sliders for the learning rate and the input scale (both logarithmic) over
    :func:`draw_training_run`; live in Jupyter, Binder and Colab."""
    import ipywidgets as widgets

    from .grid import explorer

    lr = widgets.FloatLogSlider(value=0.1, base=10, min=-4, max=1, step=0.25,
                                description="learning_rate")
    scale = widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=2.5, step=0.25,
                                   description="input_scale")
    return explorer(draw_training_run, fixed={"data": data, "steps": steps},
                    figsize=(5.5, 3.8), learning_rate=lr, input_scale=scale)


def training_small_multiples(data, runs, steps=60, ncols=3):
    """The static twin of the explorer: one panel per run, each a dict of
    :func:`draw_training_run`'s arguments (``{"learning_rate": 0.1, "input_scale": 255}``),
    on shared axes.

    Returns
    -------
    matplotlib.figure.Figure
    """
    runs = list(runs)
    fig, axes = grid_axes(len(runs), ncols=ncols, panel_size=(3.4, 2.8), sharey=True)
    for ax, run in zip(axes, runs, strict=True):
        draw_training_run(**{"steps": steps, **run}, data=data, ax=ax)
        ax.tick_params(labelleft=True)
    return fig


def draw_digits(images, labels, ncols=8, title=None):
    """Each image (28x28, or 784 numbers) in grey, titled with the label the data gives it.

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = np.asarray(images)
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ConfigError(f"images of {images.shape[1]} numbers are not square; "
                              "pass them as (n, height, width).")
        images = images.reshape(-1, side, side)
    if len(images) != len(labels):
        raise ConfigError(f"{len(images)} images but {len(labels)} labels.")
    fig, axes = grid_axes(len(images), ncols=ncols, panel_size=(1.1, 1.25))
    for ax, image, label in zip(axes, images, labels, strict=True):
        ax.imshow(image, cmap="gray_r")
        ax.set_title(f"label {label}", fontsize="small")
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        fig.suptitle(title)
    return fig
