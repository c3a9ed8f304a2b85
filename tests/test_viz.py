"""minnet.viz: every plot returns a labelled figure, for minnet and Keras-like inputs."""

import os
import subprocess
import sys
import types

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
plt = pytest.importorskip("matplotlib.pyplot")
pytestmark = pytest.mark.usefixtures("close_figures")

import minnet  # noqa: E402
from minnet import viz  # noqa: E402
from minnet.viz.boundary import CLASS_COLORS  # noqa: E402


@pytest.fixture(scope="module")
def xor_model():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(64, 2)).astype("float32")
    y = (x[:, 0] * x[:, 1] > 0).astype("float32")
    model = minnet.Sequential([minnet.Dense(6, "tanh"), minnet.Dense(5, "tanh"),
                               minnet.Dense(1, "sigmoid")], seed=1)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=4, batch_size=16, verbose=0, validation_split=0.25)
    return model, x, y, history


def assert_labelled(ax):
    assert ax.get_xlabel(), "x axis has no label"
    assert ax.get_ylabel(), "y axis has no label"
    assert ax.get_title(), "axes have no title"


class KerasLikeHistory:
    """What keras.callbacks.History exposes: .history (dict of lists) and .epoch (from 0)."""

    def __init__(self, history):
        self.history = history
        self.epoch = list(range(len(history["loss"])))


# ----------------------------------------------------------------------- plot_history


def test_plot_history_minnet(xor_model):
    *_, history = xor_model
    fig = viz.plot_history(history)
    assert isinstance(fig, matplotlib.figure.Figure)
    (ax,) = fig.axes
    assert_labelled(ax)
    assert ax.get_xlabel() == "epoch"
    train, val = ax.get_lines()[:2]
    np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_allclose(train.get_ydata(), history.history["loss"])
    np.testing.assert_allclose(val.get_ydata(), history.history["val_loss"])
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"training", "validation"}


def test_plot_history_keras_like_with_metrics():
    hist = KerasLikeHistory({"loss": [0.9, 0.5, 0.3], "accuracy": [0.5, 0.7, 0.9],
                             "val_loss": [1.0, 0.6, 0.7], "val_accuracy": [0.4, 0.6, 0.65]})
    fig = viz.plot_history(hist, metrics=["accuracy"], mark_best=True)
    loss_ax, acc_ax = fig.axes
    for ax in (loss_ax, acc_ax):
        assert_labelled(ax)
        assert ax.get_lines()[0].get_xdata()[0] == 1
    assert acc_ax.get_ylabel() == "accuracy"
    np.testing.assert_allclose(acc_ax.get_lines()[1].get_ydata(), [0.4, 0.6, 0.65])
    best = loss_ax.get_lines()[2]  # the star at the lowest validation loss
    assert (best.get_xdata()[0], best.get_ydata()[0]) == (2, 0.6)


def test_plot_history_draws_into_given_axes_and_rejects_unknown_metric():
    hist = {"loss": [1.0, 0.5]}
    fig, ax = plt.subplots()
    assert viz.plot_history(hist, ax=ax) is fig
    with pytest.raises(KeyError, match="accuracy.*records: loss"):
        viz.plot_history(hist, metrics="accuracy")


# ------------------------------------------------------------ plot_decision_boundary


def test_decision_boundary_regions_follow_a_known_classifier():
    """Class 1 right of the line x1 = 0.3: region colours and point colours must agree."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(40, 2))
    y = (x[:, 0] > 0.3).astype(int)
    calls = []

    def classifier(points):
        calls.append(points.shape)
        return (points[:, 0] > 0.3).astype(float)[:, None]  # (n, 1) "probabilities"

    ax = viz.plot_decision_boundary(classifier, x, y, resolution=50)
    assert calls == [(2500, 2)]
    assert_labelled(ax)
    image = ax.images[0]
    classes = np.asarray(image.get_array())
    x0, x1, _, _ = image.get_extent()
    columns = np.linspace(x0, x1, 50)
    np.testing.assert_array_equal(classes, np.tile(columns > 0.3, (50, 1)).astype(int))

    region_rgba = image.to_rgba(np.array([[0, 1]]))[0]
    for c in (0, 1):
        assert matplotlib.colors.to_hex(region_rgba[c][:3]) == CLASS_COLORS[c]
    points = {coll.get_label(): coll for coll in ax.collections if coll.get_label().startswith("class")}
    for c in (0, 1):
        face = points[f"class {c}"].get_facecolor()[0]
        assert matplotlib.colors.to_hex(face[:3]) == CLASS_COLORS[c]
        np.testing.assert_allclose(points[f"class {c}"].get_offsets(), x[y == c])


def test_decision_boundary_multiclass_argmax_and_one_hot_labels():
    centers = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])

    class NearestCenter:  # anything with .predict works, as with Keras
        def predict(self, points, verbose="auto", batch_size=None):
            assert verbose == 0, "Keras-style predict must be called with verbose=0"
            d = ((points[:, None, :] - centers[None]) ** 2).sum(-1)
            return np.exp(-d) / np.exp(-d).sum(1, keepdims=True)

    x = centers.repeat(5, axis=0) + np.random.default_rng(1).normal(0, 0.3, (15, 2))
    y = np.eye(3)[np.repeat([0, 1, 2], 5)]
    ax = viz.plot_decision_boundary(NearestCenter(), x, y, resolution=30)
    classes = np.asarray(ax.images[0].get_array())
    assert set(np.unique(classes)) == {0, 1, 2}
    x0, x1, y0, y1 = ax.images[0].get_extent()
    gx, gy = np.meshgrid(np.linspace(x0, x1, 30), np.linspace(y0, y1, 30))
    expected = np.argmin([(gx - cx) ** 2 + (gy - cy) ** 2 for cx, cy in centers], axis=0)
    np.testing.assert_array_equal(classes, expected)
    assert all(isinstance(c, matplotlib.collections.PathCollection) for c in ax.collections), \
        "a multi-class plot has no 0.5 contour"


def test_decision_boundary_minnet_model(xor_model):
    model, x, y, _ = xor_model
    ax = viz.plot_decision_boundary(model, x, y, resolution=40)
    classes = np.asarray(ax.images[0].get_array())
    assert classes.shape == (40, 40)
    x0, x1, y0, y1 = ax.images[0].get_extent()
    gx, gy = np.meshgrid(np.linspace(x0, x1, 40), np.linspace(y0, y1, 40))
    probs = model.predict(np.column_stack([gx.ravel(), gy.ravel()]).astype("float32"))
    np.testing.assert_array_equal(classes.ravel(), (probs[:, 0] >= 0.5).astype(int))


def test_decision_boundary_rejects_non_2d_inputs():
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        viz.plot_decision_boundary(lambda p: p[:, 0], np.zeros((5, 3)), np.zeros(5))


# ------------------------------------------------------------------- plot_activation


def test_plot_activation_minnet_object_and_name():
    ax = viz.plot_activation(minnet.activations.tanh)
    assert_labelled(ax)
    f_line, d_line = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    z = f_line.get_xdata()
    np.testing.assert_allclose(f_line.get_ydata(), np.tanh(z))
    np.testing.assert_allclose(d_line.get_ydata(), 1 - np.tanh(z) ** 2)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["tanh(z)", "tanh'(z)"]

    ax = viz.plot_activation("sigmoid", z=np.linspace(-3, 3, 7))
    assert ax.get_legend() is not None
    assert "sigmoid" in ax.get_title()


def test_plot_activation_plain_callable_gets_numerical_derivative():
    def softplus(z):
        return np.log1p(np.exp(z))

    ax = viz.plot_activation(softplus)
    d_line = ax.get_lines()[-1]
    assert "numerical" in d_line.get_label()
    z = d_line.get_xdata()
    np.testing.assert_allclose(d_line.get_ydata(), 1 / (1 + np.exp(-z)), atol=1e-6)


def test_plot_activation_refuses_softmax_with_a_reason():
    with pytest.raises(ValueError, match="vector"):
        viz.plot_activation("softmax")


# ------------------------------------------------------------ plot_layer_histograms


@pytest.mark.parametrize("kind", ["activations", "preactivations", "gradients", "weights"])
def test_layer_histograms_one_panel_per_dense_layer(xor_model, kind):
    model, x, y, _ = xor_model
    fig = viz.plot_layer_histograms(model, x, y, kind=kind)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 3
    dense = [layer for layer in model.layers if isinstance(layer, minnet.Dense)]
    if kind == "gradients":
        sizes = [g.size for g in model.gradients(x, y)[0::2]]
    elif kind == "weights":
        sizes = [layer.W.size for layer in dense]
    else:
        sizes = [len(x) * layer.units for layer in dense]
    for ax, size, layer in zip(axes, sizes, dense, strict=True):
        assert_labelled(ax)
        assert f"Dense({layer.units}" in ax.get_title()
        assert sum(p.get_height() for p in ax.patches) == size  # every value is counted


def test_layer_histograms_values_are_the_layer_activations(xor_model):
    model, x, y, _ = xor_model
    fig = viz.plot_layer_histograms(model, x, kind="activations", bins=10, sharex=False)
    expected = np.tanh(np.tanh(x @ model.layers[0].W + model.layers[0].b) @ model.layers[1].W
                       + model.layers[1].b)
    heights = [p.get_height() for p in fig.axes[1].patches]
    np.testing.assert_array_equal(heights, np.histogram(expected, bins=10)[0])


def test_layer_histograms_gradients_need_targets(xor_model):
    model, x, _, _ = xor_model
    with pytest.raises(ValueError, match="targets"):
        viz.plot_layer_histograms(model, x, kind="gradients")
    with pytest.raises(ValueError, match="kind must be one of"):
        viz.plot_layer_histograms(model, x, kind="deltas")


def test_layer_histograms_weights_of_a_keras_like_model():
    class FakeKerasDense:  # keras.layers.Dense: get_weights() -> [kernel, bias]
        def __init__(self, kernel):
            self.kernel = kernel
            self.activation = np.tanh

        def get_weights(self):
            return [self.kernel, np.zeros(self.kernel.shape[1])]

    FakeKerasDense.__name__ = "Dense"
    rng = np.random.default_rng(0)
    model = types.SimpleNamespace(layers=[FakeKerasDense(rng.normal(size=(2, 4))),
                                          FakeKerasDense(rng.normal(size=(4, 3)))])
    fig = viz.plot_layer_histograms(model, None, kind="weights")
    assert [ax.get_title() for ax in fig.axes] == ["layer 1: Dense(4, tanh)", "layer 2: Dense(3, tanh)"]
    with pytest.raises(TypeError, match="minnet model"):
        viz.plot_layer_histograms(model, np.zeros((3, 2)), kind="activations")


# --------------------------------------------------------------- static_grid, explorer


def draw_line(w=1.0, b=0.0, ax=None):
    z = np.linspace(-1, 1, 5)
    ax.plot(z, w * z + b)
    ax.set_xlabel("x")
    ax.set_ylabel("w x + b")
    return ax


@pytest.mark.parametrize("values", [[0.5, 1.0, 2.0], [-2, -1, 0, 1, 2, 3]])
def test_static_grid_draws_one_panel_per_value(values):
    fig = viz.static_grid(draw_line, values, param="w", ncols=4)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(values)
    for ax, w in zip(visible, values, strict=True):
        assert ax.get_title() == f"w = {w:g}"
        np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), w * np.linspace(-1, 1, 5))
        assert_labelled(ax)


def test_static_grid_dicts_positional_fixed_and_titles():
    fig = viz.static_grid(draw_line, [{"w": 1, "b": 0.5}, {"w": -1, "b": 0.25}])
    assert [ax.get_title() for ax in fig.axes] == ["w = 1, b = 0.5", "w = -1, b = 0.25"]
    fig = viz.static_grid(draw_line, [2.0, 3.0], fixed={"b": 1.0}, titles=lambda w: f"slope {w:g}",
                          suptitle="lines")
    assert [ax.get_title() for ax in fig.axes] == ["slope 2", "slope 3"]
    np.testing.assert_allclose(fig.axes[1].get_lines()[0].get_ydata(), 3 * np.linspace(-1, 1, 5) + 1)
    assert fig.get_suptitle() == "lines"


def test_explorer_builds_sliders_starting_at_the_defaults():
    widgets = pytest.importorskip("ipywidgets")
    drawn = []

    def draw(w=1.5, b=0.0, ax=None):
        drawn.append((w, b))
        return draw_line(w, b, ax)

    panel = viz.explorer(draw, w=(-3.0, 3.0, 0.5), b=(-1.0, 1.0, 0.25))
    assert isinstance(panel, widgets.interactive)
    sliders = {c.description: c for c in panel.children if isinstance(c, widgets.FloatSlider)}
    assert set(sliders) == {"w", "b"}
    assert sliders["w"].value == 1.5 and not sliders["w"].continuous_update
    sliders["w"].value = 2.5
    assert drawn[-1] == (2.5, 0.0)
    assert plt.get_fignums() == []  # every redraw closes its figure


def test_viz_imports_alone_without_ipywidgets_or_tensorflow():
    code = ("import sys, minnet.viz; "
            "assert 'ipywidgets' not in sys.modules and 'tensorflow' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "MPLBACKEND": "Agg"})


def test_chapter_modules_are_lazy_attributes():
    with pytest.raises(AttributeError, match="no attribute 'no_such_chapter'"):
        viz.no_such_chapter  # noqa: B018
    assert minnet.viz is viz


def test_real_keras_model_and_history():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0)

    fig = viz.plot_history(history, metrics="accuracy")
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    ax = viz.plot_decision_boundary(model, x, y, resolution=20)
    x0, x1, y0, y1 = ax.images[0].get_extent()
    gx, gy = np.meshgrid(np.linspace(x0, x1, 20), np.linspace(y0, y1, 20))
    probs = model.predict(np.column_stack([gx.ravel(), gy.ravel()]).astype("float32"), verbose=0)
    np.testing.assert_array_equal(np.asarray(ax.images[0].get_array()).ravel(),
                                  (probs[:, 0] >= 0.5).astype(int))
    fig = viz.plot_layer_histograms(model, x, kind="weights")
    assert [a.get_title() for a in fig.axes] == ["layer 1: Dense(4, tanh)", "layer 2: Dense(1, sigmoid)"]
