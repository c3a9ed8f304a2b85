"""minnet.viz.backprop: the traced backward pass is minnet's, and every drawing is labelled."""

import numpy as np
import pytest

plt = pytest.importorskip("matplotlib.pyplot")
pytestmark = pytest.mark.usefixtures("close_figures")

import minnet  # noqa: E402
from minnet.viz import backprop as bv  # noqa: E402


def _model(last_activation, loss, units=1, regularizer=None):
    model = minnet.Sequential(
        [minnet.Dense(3, "tanh", kernel_regularizer=regularizer), minnet.Dense(2, "relu"),
         minnet.Dense(units, last_activation)], seed=1, dtype="float64")
    model.build((None, 2))
    model.compile("sgd", loss)
    return model


CASES = [
    ("sigmoid", "binary_crossentropy", 1, np.array([[1.0], [0.0], [1.0], [0.0]]), True),
    (None, "mse", 1, np.array([[0.3], [-1.0], [2.0], [0.5]]), False),
    ("softmax", "sparse_categorical_crossentropy", 3, np.array([0, 2, 1, 1]), True),
    ("softmax", "categorical_crossentropy", 3, np.eye(3)[[0, 2, 1, 1]], True),
    ("sigmoid", "mse", 1, np.array([[1.0], [0.0], [1.0], [0.0]]), False),
]


@pytest.mark.parametrize(("activation", "loss", "units", "y", "fused"), CASES)
def test_trace_matches_model_gradients(activation, loss, units, y, fused):
    model = _model(activation, loss, units, regularizer="l2")
    x = np.random.default_rng(0).normal(size=(4, 2))
    trace = bv.trace_backward(model, x, y)
    traced = [g for rec in trace["layers"] for g in (rec["dW"], rec["db"])]
    for got, expected in zip(traced, model.gradients(x, y), strict=True):
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)
    assert trace["fused"] is fused
    assert trace["loss"] == pytest.approx(model.loss_value(x, y), rel=1e-12)
    # BP2 holds between consecutive traced layers
    for lower, upper in zip(trace["layers"][:-1], trace["layers"][1:]):
        grad_a = upper["delta"] @ upper["W"].T
        act = minnet.activations.get(lower["activation"])
        np.testing.assert_allclose(lower["delta"], act.backward(lower["z"], lower["a"], grad_a))


def test_trace_rejects_other_layers_and_uncompiled_models():
    model = minnet.Sequential([minnet.Dense(2), minnet.Dropout(0.1), minnet.Dense(1)])
    model.build((None, 2))
    model.compile("sgd", "mse")
    with pytest.raises(minnet.errors.UnsupportedLayerError, match="Dropout"):
        bv.trace_backward(model, np.zeros((1, 2)), np.zeros((1, 1)))
    bare = minnet.Sequential([minnet.Dense(1)])
    with pytest.raises(minnet.errors.NotCompiledError, match="Compile"):
        bv.trace_backward(bare, np.zeros((1, 2)), np.zeros((1, 1)))


def test_draw_backward_step_every_step_labelled():
    model = _model("sigmoid", "binary_crossentropy")
    trace = bv.trace_backward(model, np.array([[0.5, -1.0]]), np.array([[1.0]]))
    for step in range(4):
        ax = bv.draw_backward_step(trace, step)
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
        assert f"step {step}" in ax.get_title()
    with pytest.raises(ValueError, match="between 0 and 3"):
        bv.draw_backward_step(trace, 4)


def test_small_multiples_one_panel_per_step():
    model = _model("sigmoid", "binary_crossentropy")
    x, y = np.array([[0.5, -1.0]]), np.array([[1.0]])
    fig = bv.backward_small_multiples(model, x, y)
    titles = [ax.get_title() for ax in fig.axes[:4]]
    assert [t.split(" ")[1] for t in titles] == ["0:", "1", "2", "3"]
    assert "BP1" in titles[1] and "BP2" in titles[2]
    fig2 = bv.backward_small_multiples(model, x, y, ncols=2)
    assert len([ax for ax in fig2.axes if ax.get_visible()]) == 4


def test_explorer_is_a_widget():
    pytest.importorskip("ipywidgets")
    model = _model("sigmoid", "binary_crossentropy")
    panel = bv.backward_explorer(model, np.array([[0.5, -1.0]]), np.array([[1.0]]))
    slider = panel.children[0]
    assert (slider.min, slider.max) == (0, 3)


def test_draw_graph_labels_values_and_gradients():
    nodes = {"w": dict(pos=(0, 0), label="w", value=2.0, grad=0.5, leaf=True),
             "C": dict(pos=(2, 0), label="C = w²", value=4.0, grad=1.0)}
    ax = bv.draw_graph(nodes, [("w", "C")])
    texts = {t.get_text() for t in ax.texts}
    assert {"w", "C = w²", "2", "0.5", "4", "1"} <= texts
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


def test_small_multiples_titles_clear_the_labels_above():
    """In a grid of panels, each title sits clear of the x-label of the panel above it
    (at least 0.2 inch of space between them)."""
    model = _model("sigmoid", "binary_crossentropy")
    x, y = np.array([[0.5, -1.2]]), np.array([[1.0]])
    fig = bv.backward_small_multiples(model, x, y, ncols=2)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    top, bottom = fig.axes[:2], fig.axes[2:4]
    for above, below in zip(top, bottom):
        label = above.xaxis.label.get_window_extent(renderer)
        title = below.title.get_window_extent(renderer)
        gap_inches = (label.y0 - title.y1) / fig.dpi
        assert gap_inches >= 0.2, f"title {gap_inches:.2f} in below the x-label above it"
