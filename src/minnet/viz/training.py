"""minnet.viz.training: the chapter-7 plots, the toy-data explorer and its static twin.

* :func:`train_toy`: train a small network on one of ``minnet.datasets``' toy sets;
* :func:`draw_toy_run`: its decision regions, with the loss curve inset;
* :func:`toy_explorer` (sliders, needs a kernel) and :func:`toy_grid` (small multiples);
* :func:`plot_hidden_lines`: the line where each hidden unit's weighted input is zero;
* :func:`plot_confusion`: a confusion matrix;
* :func:`plot_mistakes`: images a classifier gets wrong, with true and predicted labels.
"""

from __future__ import annotations

import numpy as np

from ._common import get_ax, grid_axes

__all__ = [
    "TOY_SETS",
    "toy_data",
    "train_toy",
    "draw_toy_run",
    "toy_explorer",
    "toy_grid",
    "plot_hidden_lines",
    "confusion_matrix",
    "plot_confusion",
    "plot_mistakes",
]

#: The toy sets the explorer offers, as ``name -> (generator, keyword arguments)``.
TOY_SETS = {
    "moons": ("make_moons", {"n_samples": 200, "noise": 0.15}),
    "spirals": ("make_spirals", {"n_samples": 300, "n_classes": 3, "noise": 0.2}),
    "xor": ("make_xor", {"n_samples": 200, "noise": 0.15}),
    "quadrants": ("make_xor", {"n_samples": 300, "noise": 0.0, "kind": "quadrants"}),
}


def toy_data(name, seed=0):
    """``(x, y)`` of the toy set ``name`` (a key of :data:`TOY_SETS`)."""
    from minnet import datasets
    from minnet.errors import UnknownNameError

    if name not in TOY_SETS:
        raise UnknownNameError(f"Unknown toy set {name!r}; choose one of {sorted(TOY_SETS)}.")
    maker, kwargs = TOY_SETS[name]
    return getattr(datasets, maker)(seed=seed, **kwargs)


def train_toy(data="moons", hidden=8, learning_rate=0.5, epochs=200, seed=0,
              activation="tanh", batch_size=32):
    """Train ``Dense(hidden, activation)`` then an output layer on a toy set, with SGD.

    Binary sets get one sigmoid unit and binary cross-entropy; the spirals a softmax
    layer and sparse categorical cross-entropy. Returns ``(model, history, x, y)``.
    """
    import minnet

    x, y = toy_data(data, seed=seed)
    k = int(np.max(y)) + 1 if y.ndim == 1 else 1
    out = minnet.Dense(k, "softmax") if k > 1 else minnet.Dense(1, "sigmoid")
    loss = "sparse_categorical_crossentropy" if k > 1 else "binary_crossentropy"
    model = minnet.Sequential([minnet.Dense(int(hidden), activation), out], seed=seed)
    model.compile(minnet.optimizers.SGD(learning_rate), loss, metrics=["accuracy"])
    history = model.fit(x, y, epochs=int(epochs), batch_size=batch_size, verbose=0)
    return model, history, x, y


def draw_toy_run(data="moons", hidden=8, learning_rate=0.5, epochs=200, seed=0, ax=None):
    """Train with :func:`train_toy` and draw the decision regions, the loss curve inset.

    What the plot shows: the toy set's points coloured by class on the regions the
    trained network assigns to each class; the small inset is the training loss per
    epoch (log scale); the title gives the final loss and accuracy on the training data.
    """
    from .boundary import plot_decision_boundary

    ax = get_ax(ax, figsize=(4.2, 3.8))
    model, history, x, y = train_toy(data, hidden, learning_rate, epochs, seed)
    plot_decision_boundary(model, x, y, ax=ax, resolution=120, padding=0.15)
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    losses = history.history["loss"]
    inset = ax.inset_axes([0.68, 0.04, 0.3, 0.26])
    inset.plot(np.arange(1, len(losses) + 1), losses, color="black", lw=1)
    inset.set_yscale("log")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.tick_params(which="both", left=False, labelleft=False, bottom=False,
                      labelbottom=False)
    inset.set_title("loss (log)", fontsize=7, pad=2)
    inset.patch.set_alpha(0.85)
    ax.set_title(f"{data}: {hidden} hidden, lr {learning_rate:g}, {epochs} epochs\n"
                 f"loss {losses[-1]:.3f}, accuracy {history.history['accuracy'][-1]:.2f}",
                 fontsize="small")
    ax.final_loss = losses[-1]
    ax.final_accuracy = history.history["accuracy"][-1]
    return ax


def toy_explorer(data="moons", hidden=8, learning_rate=0.5, epochs=200):
    """Sliders over :func:`draw_toy_run`: data set, hidden width, learning rate, epochs.

    Each change trains a fresh network (a second or so). Needs a running kernel; tag the
    cell ``remove-output`` and show :func:`toy_grid` beside it for the static book.
    """
    import ipywidgets as widgets

    from .grid import explorer

    return explorer(
        draw_toy_run,
        figsize=(4.6, 4.2),
        data=widgets.Dropdown(options=list(TOY_SETS), value=data, description="data"),
        hidden=widgets.IntSlider(value=hidden, min=1, max=32, description="hidden"),
        learning_rate=widgets.FloatLogSlider(value=learning_rate, base=10, min=-3, max=1,
                                             step=0.25, description="learning rate"),
        epochs=widgets.IntSlider(value=epochs, min=10, max=1000, step=10,
                                 description="epochs"),
        seed=widgets.IntSlider(value=0, min=0, max=20, description="seed"),
    )


def toy_grid(settings, *, ncols=None, suptitle=None):
    """The explorer's static twin: one :func:`draw_toy_run` panel per setting (a dict).

    Returns the Figure; each panel's Axes carries ``final_loss`` and ``final_accuracy``.
    """
    from .grid import static_grid

    return static_grid(draw_toy_run, settings, ncols=ncols, titles=False, suptitle=suptitle,
                       panel_size=(3.0, 2.9), sharex=False, sharey=False)


def plot_hidden_lines(W, b, ax=None, xlim=(-0.5, 1.5), labels=None, colors=None):
    """Draw, for each hidden unit ``j``, the line ``W[0, j] x_1 + W[1, j] x_2 + b[j] = 0``.

    On that line the unit's weighted input ``z_j`` is zero (a tanh unit outputs 0, a
    sigmoid unit 1/2): it is the unit's own decision boundary. A short arrow from the
    line's midpoint shows the direction ``(W[0, j], W[1, j])`` in which ``z_j`` grows.
    """
    W = np.asarray(W, dtype=float)
    b = np.asarray(b, dtype=float).reshape(-1)
    if W.ndim != 2 or W.shape[0] != 2 or W.shape[1] != len(b):
        from minnet.errors import ShapeError

        raise ShapeError(f"W must have shape (2, k) (a hidden layer on two inputs) and b shape "
                         f"(k,), got {W.shape} and {b.shape}.")
    ax = get_ax(ax)
    colors = colors or ["#7b3294", "#008837", "#e66101", "#5e3c99"]
    x1 = np.linspace(*xlim, 200)
    for j in range(W.shape[1]):
        w1, w2 = W[:, j]
        color = colors[j % len(colors)]
        label = labels[j] if labels else f"hidden unit {j + 1}: $z_{j + 1} = 0$"
        if abs(w2) > 1e-12:
            x2 = -(w1 * x1 + b[j]) / w2
            ax.plot(x1, x2, color=color, lw=2, ls="--", label=label)
            mid = np.array([x1[100], x2[100]])
        else:
            ax.axvline(-b[j] / w1, color=color, lw=2, ls="--", label=label)
            mid = np.array([-b[j] / w1, 0.5])
        direction = np.array([w1, w2]) / (np.hypot(w1, w2) or 1.0) * 0.2
        ax.annotate("", xy=mid + direction, xytext=mid,
                    arrowprops={"arrowstyle": "->", "color": color, "lw": 1.5})
    ax.set_xlim(*xlim)
    ax.set_ylim(*xlim)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def confusion_matrix(y_true, y_pred, n_classes=None):
    """``C[t, p]``: how many examples of true class ``t`` were predicted as ``p``."""
    y_true = np.asarray(y_true).astype(int).reshape(-1)
    y_pred = np.asarray(y_pred).astype(int).reshape(-1)
    k = n_classes or int(max(y_true.max(), y_pred.max())) + 1
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


def plot_confusion(matrix, ax=None, title="Confusion matrix", what="examples"):
    """Show a confusion matrix: rows are true classes, columns predicted classes.

    Only the off-diagonal cells (the mistakes) are coloured, so that the colour scale
    shows them; every count is written in its cell, the diagonal's (right answers) in
    grey. ``what`` names what is counted, for the colour bar's label.
    """
    matrix = np.asarray(matrix)
    ax = get_ax(ax, figsize=(4.8, 4.2))
    k = len(matrix)
    off = matrix.astype(float).copy()
    np.fill_diagonal(off, np.nan)
    image = ax.imshow(off, cmap="Reds")
    ax.figure.colorbar(image, ax=ax, label=f"{what} (off the diagonal)")
    peak = np.nanmax(off) if np.isfinite(off).any() else 1
    for t in range(k):
        for p in range(k):
            if t != p and matrix[t, p]:
                ax.text(p, t, str(matrix[t, p]), ha="center", va="center", fontsize=7,
                        color="white" if matrix[t, p] > 0.6 * peak else "black")
            elif t == p:
                ax.text(p, t, str(matrix[t, p]), ha="center", va="center", fontsize=6,
                        color="dimgray")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    return ax


def plot_mistakes(images, y_true, y_pred, confidence=None, ncols=8):
    """A grid of images with their true and predicted labels (and the confidence).

    Returns the Figure.
    """
    images = np.asarray(images)
    n = len(images)
    fig, axes = grid_axes(n, ncols=min(ncols, n), panel_size=(1.15, 1.35))
    for i, ax in enumerate(axes):
        ax.imshow(images[i], cmap="gray_r")
        ax.set_xticks([])
        ax.set_yticks([])
        text = f"true {int(y_true[i])}, said {int(y_pred[i])}"
        if confidence is not None:
            text += f"\n({100 * float(confidence[i]):.0f}% sure)"
        ax.set_title(text, fontsize=7)
    return fig
