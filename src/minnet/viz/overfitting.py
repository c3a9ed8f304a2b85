"""Chapter 8: pictures of overfitting, and an explorer over capacity, L2 and dropout.

Plots (each draws into an ``ax`` you pass, or a new figure, and labels its axes):
    plot_fits              a few fitted curves over the training points and the true function
    plot_bias_variance     bias squared, variance, noise and test error against capacity
    plot_train_test        training (solid) and test (dashed) curves of several runs
    plot_weight_histograms the distribution of the weights of several trained networks

The small problem of the explorer: ``wave_data`` draws a few noisy samples of
``sin(2 pi x)``; ``train_small_net`` fits a two-layer tanh network to them with minnet
(Adam, full batch), with a chosen width, L2 strength and dropout rate.

    draw_small_net         the fitted curve, the data and the true function, errors in the title
    capacity_explorer      sliders over width, L2 strength and dropout rate (needs a kernel)
    capacity_grid          the static twin: small multiples over a few settings
"""

from __future__ import annotations

import numpy as np

from ._common import get_ax, grid_axes


def true_wave(x):
    """``sin(2 pi x)``, the function behind the noisy samples of :func:`wave_data`."""
    return np.sin(2 * np.pi * np.asarray(x, dtype=float))


def wave_data(n_train=12, n_test=300, noise=0.3, seed=0):
    """Noisy samples ``y = sin(2 pi x) + N(0, noise^2)`` with ``x ~ U(0, 1)``.

    Returns ``(x_train, y_train, x_test, y_test)``, each of shape ``(n, 1)``, float32.
    """
    rng = np.random.default_rng(seed)

    def draw(n):
        x = rng.uniform(0, 1, size=(n, 1))
        return x.astype(np.float32), (true_wave(x) + rng.normal(0, noise, size=(n, 1))).astype(np.float32)

    return (*draw(int(n_train)), *draw(int(n_test)))


def small_net(width=32, l2=0.0, dropout=0.0, seed=0):
    """The explorer's network: ``1 -> width (tanh) -> width (tanh) -> 1``, built and
    compiled (Adam with learning rate 0.01, MSE), L2 on both hidden kernels and dropout after
    each hidden layer when asked."""
    from .. import Sequential
    from ..layers import Dense, Dropout
    from ..optimizers import Adam
    from ..regularizers import L2

    def reg():
        return L2(l2) if l2 else None

    layers = [Dense(int(width), "tanh", kernel_regularizer=reg())]
    if dropout:
        layers.append(Dropout(dropout))
    layers.append(Dense(int(width), "tanh", kernel_regularizer=reg()))
    if dropout:
        layers.append(Dropout(dropout))
    layers.append(Dense(1))
    model = Sequential(layers, seed=seed)
    model.build((None, 1))
    model.compile(Adam(0.01), "mse")
    return model


def data_mse(model, x, y):
    """Mean squared error of ``model`` on ``(x, y)`` without any penalty term."""
    return float(np.mean((model.predict(x, batch_size=len(x)) - y) ** 2))


def train_small_net(width=32, l2=0.0, dropout=0.0, *, data=None, epochs=1000, seed=0):
    """Fit :func:`small_net` to ``data`` (default :func:`wave_data`) full batch.

    Returns ``(model, train_mse, test_mse)``, the errors without the penalty term.
    """
    x, y, x_test, y_test = wave_data() if data is None else data
    model = small_net(width, l2, dropout, seed)
    model.fit(x, y, epochs=int(epochs), batch_size=len(x), verbose=0, shuffle=False)
    return model, data_mse(model, x, y), data_mse(model, x_test, y_test)


def draw_small_net(width=32, l2=0.0, dropout=0.0, ax=None, *, data=None, epochs=1000, seed=0):
    """Train :func:`train_small_net` and draw its curve over the data and ``sin(2 pi x)``.

    The title gives the training and test mean squared errors, also kept as
    ``ax.errors = (train_mse, test_mse)``. Returns the Axes.
    """
    ax = get_ax(ax)
    data = wave_data() if data is None else data
    x, y = data[0], data[1]
    model, train, test = train_small_net(width, l2, dropout, data=data, epochs=epochs, seed=seed)
    grid = np.linspace(0, 1, 300, dtype=np.float32)[:, None]
    ax.plot(grid, true_wave(grid), color="0.5", lw=1.5, label="true sin(2 pi x)")
    ax.plot(x, y, "o", color="tab:orange", ms=4, label="training points")
    ax.plot(grid, model.predict(grid, batch_size=len(grid)), color="tab:blue", lw=2, label="network")
    ax.set_ylim(-2.0, 2.0)
    ax.set_xlabel("input x")
    ax.set_ylabel("output y")
    ax.set_title(f"train MSE {train:.3f}, test MSE {test:.3f}", fontsize="small")
    ax.errors = (train, test)
    return ax


def capacity_explorer(widths=(1, 2, 4, 8, 16, 32, 64, 128), l2=(0.0, 0.01, 0.0005),
                      dropout=(0.0, 0.5, 0.1), epochs=1000):
    """Sliders over the width, the L2 strength and the dropout rate of :func:`small_net`,
    redrawing :func:`draw_small_net` (needs a running kernel: Jupyter, Binder or Colab).

    Returns an ``ipywidgets.interactive``.
    """
    import ipywidgets as widgets

    from .grid import explorer

    return explorer(
        draw_small_net, fixed={"epochs": epochs},
        width=widgets.SelectionSlider(options=list(widths), value=32, description="width"),
        l2=widgets.FloatSlider(value=0.0, min=l2[0], max=l2[1], step=l2[2], readout_format=".4f",
                               description="L2"),
        dropout=widgets.FloatSlider(value=0.0, min=dropout[0], max=dropout[1], step=dropout[2],
                                    description="dropout"),
    )


def capacity_grid(settings, *, ncols=3, epochs=1000, data=None):
    """The static twin of :func:`capacity_explorer`: one panel per setting, a dict with
    ``width``, ``l2`` and ``dropout`` (missing ones default to 32, 0, 0). Returns the Figure,
    with ``fig.errors``: the ``(train_mse, test_mse)`` of each panel, in order.
    """
    from .grid import static_grid

    data = wave_data() if data is None else data
    full = [{"width": 32, "l2": 0.0, "dropout": 0.0, **s} for s in settings]

    def title(s):
        return f"width {s['width']}, L2 {s['l2']:g}, dropout {s['dropout']:g}"

    fig = static_grid(draw_small_net, full, ncols=ncols, fixed={"epochs": epochs, "data": data},
                      titles=False, panel_size=(3.4, 2.8))
    for ax, s in zip(fig.axes, full):
        ax.set_title(f"{title(s)}\n{ax.get_title()}", fontsize="small")
    fig.axes[0].legend(fontsize="x-small", loc="lower left")
    fig.errors = [ax.errors for ax in fig.axes[:len(full)]]
    return fig


# ------------------------------------------------------------------------- plots


def plot_fits(x, y, grid, fits, truth=None, *, ncols=None, ylim=(-2.0, 2.0)):
    """One panel per fitted curve: the training points, the curve, and the truth.

    ``fits`` maps a panel title to the curve's values on ``grid``; ``truth`` is the true
    function's values on ``grid`` (drawn grey). Returns the Figure.
    """
    fig, axes = grid_axes(len(fits), ncols=ncols, panel_size=(3.4, 2.8), sharex=True, sharey=True)
    for ax, (title, curve) in zip(axes, fits.items()):
        if truth is not None:
            ax.plot(grid, truth, color="0.5", lw=1.5, label="true function")
        ax.plot(np.ravel(x), np.ravel(y), "o", color="tab:orange", ms=4, label="training points")
        ax.plot(grid, curve, color="tab:blue", lw=2, label="fit")
        ax.set_ylim(*ylim)
        ax.set_xlabel("input x")
        ax.set_ylabel("output y")
        ax.set_title(title, fontsize="medium")
        ax.tick_params(labelbottom=True, labelleft=True)
    axes[0].legend(fontsize="x-small", loc="lower left")
    return fig


def plot_bias_variance(capacity, bias2, variance, noise, test_error, train_error=None, ax=None,
                       xlabel="polynomial degree"):
    """Bias squared, variance, the noise level and the mean test error against capacity,
    on a logarithmic y axis; the mean training error too when given. Returns the Axes."""
    ax = get_ax(ax, figsize=(6.0, 3.8))
    capacity = np.asarray(capacity)
    ax.plot(capacity, bias2, "o-", label="bias squared")
    ax.plot(capacity, variance, "s-", label="variance")
    ax.plot(capacity, np.broadcast_to(noise, capacity.shape), ":", color="0.4", label="noise variance")
    ax.plot(capacity, test_error, "k^-", lw=2, label="mean test error")
    if train_error is not None:
        ax.plot(capacity, train_error, "kv--", label="mean training error")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("mean squared error")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def plot_train_test(runs, ax=None, *, ylabel="accuracy", title=None, styles=None):
    """Training (solid) and test (dashed) curves of several runs against the epoch.

    ``runs`` maps a label to a dict with ``"train"`` and ``"test"`` sequences (one value per
    epoch, epochs counted from 1). ``styles`` may map a label to extra keyword arguments
    for both of its lines (a colour, a marker). Returns the Axes.
    """
    ax = get_ax(ax, figsize=(6.4, 3.8))
    styles = styles or {}
    for i, (label, run) in enumerate(runs.items()):
        style = {"color": f"C{i}", **styles.get(label, {})}
        for part, dash in (("train", "-"), ("test", "--")):
            values = np.asarray(run[part], dtype=float)
            ax.plot(np.arange(1, len(values) + 1), values, dash, label=f"{label}, {part}", **style)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="x-small", ncol=2)
    return ax


def plot_weight_histograms(weights, ax=None, *, bins=None, xlim=(-1.0, 1.0)):
    """Histograms (as fractions of the weights) of several weight arrays, one outline each,
    on a logarithmic count axis. ``weights`` maps a label to an array. Returns the Axes."""
    ax = get_ax(ax, figsize=(6.0, 3.6))
    bins = np.linspace(*xlim, 81) if bins is None else bins
    for label, w in weights.items():
        w = np.ravel(np.asarray(w, dtype=float))
        ax.hist(np.clip(w, *xlim), bins=bins, histtype="step", lw=2,
                weights=np.full(w.shape, 1 / w.size), label=label)
    ax.set_yscale("log")
    ax.set_xlabel("weight value (clipped to the axis)")
    ax.set_ylabel("fraction of weights")
    ax.legend(fontsize="small")
    return ax


__all__ = [
    "capacity_explorer",
    "capacity_grid",
    "data_mse",
    "draw_small_net",
    "plot_bias_variance",
    "plot_fits",
    "plot_train_test",
    "plot_weight_histograms",
    "small_net",
    "train_small_net",
    "true_wave",
    "wave_data",
]
