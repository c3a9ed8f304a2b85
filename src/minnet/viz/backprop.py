"""Pictures of backpropagation (chapter 5).

Two kinds of drawing:

* :func:`draw_graph` draws a small computational graph with, on every node, the value the
  forward pass computed and the gradient ``dC/d(node)`` the backward pass sent back;
* :func:`trace_backward` runs one backward pass through a ``Sequential`` stack of
  ``Dense`` layers and records every ``delta`` and every weight gradient, layer by layer;
  :func:`draw_backward_step` draws the network after a given number of backward steps,
  :func:`backward_explorer` puts a slider on the step (needs a kernel) and
  :func:`backward_small_multiples` draws every step side by side (the static twin).

The backward steps follow the four equations of the chapter, batch-first::

    step 1      delta^L = dC/dz^L                          (BP1; (a - y) / n when fused)
    step s > 1  delta^l = (delta^(l+1) W^(l+1)^T) * f'(z^l)   (BP2)
    each step   dC/db^l = sum over the batch of delta^l    (BP3)
                dC/dW^l = a^(l-1)^T delta^l                (BP4)
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..errors import ConfigError, NotCompiledError, UnsupportedLayerError
from ..layers import Dense
from ._common import get_ax

__all__ = [
    "backward_explorer",
    "backward_small_multiples",
    "draw_backward_step",
    "draw_graph",
    "trace_backward",
]

_FORWARD_COLOR = "#1f5fa8"
_BACKWARD_COLOR = "#c0392b"


def _num(value):
    return f"{float(value):.3g}"


# ------------------------------------------------------------------ computational graph


def draw_graph(nodes, edges, ax=None, title=None, figsize=(9.0, 4.2)):
    """Draw a computational graph with forward values and backward gradients.

    Parameters
    ----------
    nodes : dict
        ``name -> {"pos": (x, y), "label": str, "value": float, "grad": float or None}``.
        ``label`` is what the node computes (``"z = p + b"``); ``value`` is written in blue
        above it (the forward pass) and ``grad``, ``dC/d(name)``, in red below it (the
        backward pass). A ``grad`` of ``None`` leaves the gradient out (for constants).
    edges : list of (str, str)
        Arrows from an input node to the node that uses it.
    ax : Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, figsize=figsize)
    width, height = 1.25, 0.42
    for src, dst in edges:
        (x0, y0), (x1, y1) = nodes[src]["pos"], nodes[dst]["pos"]
        ax.add_patch(FancyArrowPatch((x0 + width / 2, y0), (x1 - width / 2, y1),
                                     arrowstyle="-|>", mutation_scale=12, color="0.45",
                                     linewidth=1.2, shrinkA=2, shrinkB=2))
    for name, node in nodes.items():
        x, y = node["pos"]
        leaf = node.get("leaf", False)
        ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                    boxstyle="round,pad=0.04",
                                    facecolor="#f3f3f3" if leaf else "white",
                                    edgecolor="0.2", linewidth=1.2))
        ax.text(x, y, node.get("label", name), ha="center", va="center", fontsize=10)
        ax.text(x, y + height / 2 + 0.1, f"{_num(node['value'])}", ha="center",
                va="bottom", fontsize=9.5, color=_FORWARD_COLOR, fontweight="bold")
        if node.get("grad") is not None:
            ax.text(x, y - height / 2 - 0.1, f"{_num(node['grad'])}", ha="center", va="top",
                    fontsize=9.5, color=_BACKWARD_COLOR, fontweight="bold")
    xs = [n["pos"][0] for n in nodes.values()]
    ys = [n["pos"][1] for n in nodes.values()]
    ax.set_xlim(min(xs) - 0.9, max(xs) + 0.9)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("forward: inputs on the left, loss C on the right  "
                  "(blue: forward value; red: backward gradient dC/d·)")
    ax.set_ylabel("graph nodes")
    ax.set_title(title or "A computational graph, forward and backward")
    return ax


# ------------------------------------------------------------------- backward tracing


def trace_backward(model, x, y):
    """Run one forward and one backward pass and record every step.

    ``model`` is a compiled ``minnet.Sequential`` made only of ``Dense`` layers. Returns a
    dict with ``"x"`` (the input batch), ``"layers"`` (one dict per layer ``l = 1..L``
    holding ``a_prev``, ``z``, ``a``, ``W``, ``b``, ``delta``, ``dW``, ``db`` and
    ``activation``), ``"fused"`` (True when ``delta^L = (a - y) / n`` came from the
    logits) and ``"loss"``. The gradients are exactly those :meth:`minnet.model.Sequential.gradients`
    returns (regularization included).
    """
    if model.loss is None:
        raise NotCompiledError("Compile the model first: the backward pass starts from the loss.")
    if not all(isinstance(layer, Dense) for layer in model.layers):
        kinds = sorted({type(layer).__name__ for layer in model.layers} - {"Dense"})
        raise UnsupportedLayerError(
            f"trace_backward draws stacks of Dense layers only; this model also has "
            f"{', '.join(kinds)}. Trace a copy built from its Dense layers alone (with the "
            "same weights), or use model.gradients(x, y) for the gradients of any model.")
    x, y = model.check_data(x, y)
    output = model.forward(x)
    per_example, delta = model.loss.delta(y, *model.output_parts(output))  # BP1: Delta^L
    fused = model.loss.uses_logits(model.layers[-1].activation)
    records = [None] * len(model.layers)
    for index in range(len(model.layers) - 1, -1, -1):
        layer = model.layers[index]
        grad_x = layer.backward_delta(delta)
        records[index] = {
            "a_prev": layer.x.copy(), "z": layer.z.copy(), "a": layer.a.copy(),
            "W": layer.W.copy(), "b": None if layer.b is None else layer.b.copy(),
            "delta": np.array(delta, copy=True), "dW": layer.dW.copy(),
            "db": None if layer.db is None else layer.db.copy(),
            "activation": layer.activation.name,
        }
        if index > 0:
            below = model.layers[index - 1]
            delta = below.activation.backward(below.z, below.a, grad_x)
    loss = float(np.mean(per_example)) + model.regularization_loss()
    return {"x": x.copy(), "layers": records, "fused": fused, "loss": loss}


def _step_title(trace, step):
    n_layers = len(trace["layers"])
    if step == 0:
        return "step 0: forward pass (a stored)"
    layer = n_layers - step + 1
    if step == 1:
        how = "(a - y)/n" if trace["fused"] else "dC/da ⊙ f'(z)"
        return f"step 1 (BP1): δ{_sup(layer)} = {how}"
    return f"step {step} (BP2): δ{_sup(layer)} = δ{_sup(layer + 1)}W{_sup(layer + 1)}ᵀ ⊙ f'"


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _sup(number):
    return str(number).translate(_SUPERSCRIPTS)


def draw_backward_step(trace, step=0, example=0, ax=None, figsize=(6.0, 4.0)):
    """Draw the network of ``trace`` after ``step`` steps of the backward pass.

    Step 0 shows the forward pass: every unit labelled with its activation ``a``. Step
    ``s`` (1 to ``L``) has computed ``delta`` for the last ``s`` layers (BP1, then BP2):
    those units are coloured by their ``delta`` (red positive, blue negative, shared scale
    across steps) and labelled with it, and the weights into them are drawn with a width
    proportional to ``|dC/dW|`` (BP4), coloured by its sign. The layer computed at this step
    has a thick outline. For a batch, ``example`` chooses which row's ``a`` and ``delta``
    are shown; ``dC/dW`` is always the batch's.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = get_ax(ax, figsize=figsize)
    layers = trace["layers"]
    n_layers = len(layers)
    step = int(step)
    if not 0 <= step <= n_layers:
        raise ConfigError(f"step must be between 0 and {n_layers}, got {step}.")
    sizes = [trace["x"].shape[1]] + [rec["a"].shape[1] for rec in layers]
    tallest = max(sizes)
    pos = [[(col, (tallest - 1) / 2 - j) for j in range(size)] for col, size in enumerate(sizes)]
    delta_max = max(float(np.abs(rec["delta"][example]).max()) for rec in layers) or 1.0
    dw_max = max(float(np.abs(rec["dW"]).max()) for rec in layers) or 1.0
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-delta_max, vmax=delta_max)
    cmap = plt.get_cmap("RdBu_r")
    done = set(range(n_layers - step + 1, n_layers + 1)) if step else set()

    for layer in range(1, n_layers + 1):
        dW = layers[layer - 1]["dW"]
        for j, (x0, y0) in enumerate(pos[layer - 1]):
            for k, (x1, y1) in enumerate(pos[layer]):
                if layer in done:
                    g = float(dW[j, k])
                    ax.plot([x0, x1], [y0, y1], color=_BACKWARD_COLOR if g > 0 else "#2c6db0",
                            linewidth=0.4 + 4.0 * abs(g) / dw_max, alpha=0.8, zorder=1)
                else:
                    ax.plot([x0, x1], [y0, y1], color="0.8", linewidth=0.8, zorder=1)

    radius = 0.2
    for layer, column in enumerate(pos):
        for j, (x, y) in enumerate(column):
            if layer == 0:
                face, text = "#f3f3f3", f"x={_num(trace['x'][example, j])}"
            elif layer in done:
                d = float(layers[layer - 1]["delta"][example, j])
                face, text = cmap(norm(d)), f"δ={_num(d)}"
            else:
                face, text = "white", f"a={_num(layers[layer - 1]['a'][example, j])}"
            current = step > 0 and layer == n_layers - step + 1
            ax.add_patch(plt.Circle((x, y), radius, facecolor=face, edgecolor="black",
                                    linewidth=2.6 if current else 1.0, zorder=3))
            ax.text(x, y - radius - 0.08, text, ha="center", va="top", fontsize=8, zorder=4)
    ax.set_xlim(-0.5, n_layers + 0.5)
    ax.set_ylim(-(tallest - 1) / 2 - 0.75, (tallest - 1) / 2 + 0.6)
    ax.set_aspect("equal")
    ax.set_xticks(range(n_layers + 1),
                  ["input"] + [f"layer {layer}" for layer in range(1, n_layers + 1)])
    ax.set_yticks([])
    for spine in ("top", "right", "left"):
        ax.spines[spine].set_visible(False)
    ax.set_xlabel("layer (edge width ∝ |∂C/∂W|)")
    ax.set_ylabel("units of each layer")
    ax.set_title(_step_title(trace, step), fontsize="medium")
    return ax


def backward_explorer(model, x, y, example=0):
    """A slider over the steps of one backward pass (live in Jupyter, Binder, Colab)."""
    from .grid import explorer

    trace = trace_backward(model, x, y)
    return explorer(draw_backward_step, fixed={"trace": trace, "example": example},
                    figsize=(6.5, 4.2), step=(0, len(trace["layers"]), 1))


def backward_small_multiples(model, x, y, example=0, ncols=None):
    """Every step of one backward pass side by side: the static twin of the explorer.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .grid import static_grid

    trace = trace_backward(model, x, y)
    steps = list(range(len(trace["layers"]) + 1))
    ncols = ncols or len(steps)
    # panels in several rows get more room for their titles and labels
    panel_size = (3.6, 3.2) if ncols >= len(steps) else (4.2, 3.8)
    fig = static_grid(draw_backward_step, steps, param="step",
                      fixed={"trace": trace, "example": example},
                      ncols=ncols, titles=False, sharex=False, sharey=False,
                      panel_size=panel_size)
    # room between rows, so that a panel's title stays clear of the x-label above it
    fig.get_layout_engine().set(h_pad=0.25, hspace=0.06)
    return fig
