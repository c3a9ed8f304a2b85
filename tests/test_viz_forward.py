"""minnet.viz.forward: chapter 4's weights, data and drawings."""

import numpy as np
import pytest

plt = pytest.importorskip("matplotlib.pyplot")
pytestmark = pytest.mark.usefixtures("close_figures")

from minnet.viz import forward as fwd  # noqa: E402
from minnet.viz import static_grid  # noqa: E402


def test_ring_data_shapes_labels_and_radii():
    x, y = fwd.ring_data(n=100, seed=3)
    assert x.shape == (100, 2) and x.dtype == np.float32
    assert y.shape == (100,) and set(np.unique(y)) == {0.0, 1.0}
    r = np.hypot(x[:, 0], x[:, 1])
    assert r[y == 1].max() < r[y == 0].min()


def test_random_two_layer_is_seeded_and_shaped():
    a = fwd.random_two_layer(7, scale=2.0, seed=1)
    b = fwd.random_two_layer(7, scale=2.0, seed=1)
    assert [w.shape for w in a] == [(2, 7), (7,), (7, 1), (1,)]
    assert all(w.dtype == np.float32 for w in a)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not np.array_equal(a[0], fwd.random_two_layer(7, 2.0, seed=2)[0])


def test_two_layer_model_computes_the_formula():
    weights = fwd.random_two_layer(5, scale=1.5, seed=0)
    model = fwd.two_layer_model(weights, "tanh")
    x, _ = fwd.ring_data(n=20)
    W1, b1, W2, b2 = weights
    expected = 1 / (1 + np.exp(-(np.tanh(x @ W1 + b1) @ W2 + b2)))
    assert np.max(np.abs(model.predict(x) - expected)) < 1e-6


@pytest.mark.parametrize("width", [3, 6, 32])
def test_polygon_weights_inside_and_outside(width):
    model = fwd.two_layer_model(fwd.polygon_weights(width), "sigmoid")
    inside = np.array([[0.0, 0.0], [0.5, 0.2], [-0.3, -0.4]], dtype=np.float32)
    outside = np.array([[2.5, 0.0], [0.0, -2.5], [1.8, 1.8]], dtype=np.float32)
    assert (model.predict(inside) > 0.5).all()
    assert (model.predict(outside) < 0.5).all()


def test_polygon_needs_three_sides():
    with pytest.raises(ValueError, match="at least 3"):
        fwd.polygon_weights(2)


def test_draw_random_network_is_labelled():
    ax = fwd.draw_random_network(width=4, scale=2.0, seed=0, resolution=30)
    assert ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_title() == "width 4, scale 2"
    assert ax.get_legend() is None


def test_static_grid_of_random_networks():
    values = [{"width": w, "scale": s} for s in (0.5, 8.0) for w in (1, 16)]
    fig = static_grid(fwd.draw_random_network, values, ncols=2, titles=False,
                      fixed={"resolution": 20})
    titles = [ax.get_title() for ax in fig.axes[:4]]
    assert titles == ["width 1, scale 0.5", "width 16, scale 0.5",
                      "width 1, scale 8", "width 16, scale 8"]


def test_draw_network_labels_units_and_layers():
    ax = fwd.draw_network([2, 3, 1])
    texts = [t.get_text() for t in ax.texts]
    assert "$x_{1}$" in texts and "$a^{2}_{1}$" in texts
    assert any(t.startswith("layer 1\nhidden") for t in texts)
    assert ax.get_title() == "A dense network 2-3-1"
    assert len(ax.lines) == 2 * 3 + 3 * 1


def test_explorer_builds_controls():
    pytest.importorskip("ipywidgets")
    panel = fwd.explore_random_network()
    names = [getattr(c, "description", "") for c in panel.children]
    assert {"width", "scale", "seed", "activation"} <= set(names)
