"""minnet.viz.initialization: statistics are minnet's own, and every drawing is labelled."""

import numpy as np
import pytest

plt = pytest.importorskip("matplotlib.pyplot")
pytestmark = pytest.mark.usefixtures("close_figures")

import minnet  # noqa: E402
from minnet.viz import initialization as vi  # noqa: E402


def _model(activation="tanh", depth=4):
    model = minnet.Sequential([minnet.Dense(8, activation) for _ in range(depth)]
                              + [minnet.Dense(3, "softmax")], seed=0)
    model.build((None, 5))
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model


def test_depth_statistics_match_the_model():
    model = _model()
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 5)).astype("float32"), rng.integers(0, 3, 16)
    stats = vi.depth_statistics(model, x, y)
    grads = model.gradients(x, y)
    assert len(stats["activations"]) == 5 and len(stats["gradients"]) == 5
    for g_stat, g in zip(stats["gradients"], grads[0::2], strict=True):
        np.testing.assert_array_equal(g_stat, g)
    np.testing.assert_array_equal(stats["activations"][-1], model.predict(x, batch_size=16))
    np.testing.assert_allclose(stats["gradients_std"], [g.std() for g in grads[0::2]])


def test_plots_are_labelled_and_reject_bad_arguments():
    model = _model()
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(16, 5)).astype("float32"), rng.integers(0, 3, 16)
    stats = vi.depth_statistics(model, x, y)
    ax = vi.plot_std_through_depth({"a": stats, "b": stats["activations_std"] * 2},
                                   spread={"a": (stats["activations_std"] / 2,
                                                 stats["activations_std"] * 2)})
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_yscale() == "log"
    assert len(ax.get_lines()) == 2
    fig = vi.plot_depth_histograms({"tanh": stats, "again": stats}, layers=[1, 3, 5])
    assert len(fig.axes) == 6
    assert all(ax.get_xlabel() for ax in fig.axes[3:])
    with pytest.raises(ValueError, match="layer 9"):
        vi.plot_depth_histograms({"tanh": stats}, layers=[9])
    with pytest.raises(ValueError, match="kind"):
        vi.plot_std_through_depth({"a": stats}, kind="weights")


def test_signal_network_shows_the_textbook_behaviour():
    # linear layers: Glorot keeps the activations' scale, gain 0.5 shrinks it by about
    # 0.5 per layer, gain 2 grows it
    keep, _ = vi.signal_network("linear", 1.0, depth=10, width=64)
    shrink, _ = vi.signal_network("linear", 0.5, depth=10, width=64)
    grow, _ = vi.signal_network("linear", 2.0, depth=10, width=64)
    assert 0.3 < keep[-1] / keep[0] < 3
    assert shrink[-1] / shrink[0] < 0.01 < 100 < grow[-1] / grow[0]
    he, _ = vi.signal_network("relu", 1.0, "he", depth=10, width=64)
    assert 0.3 < he[-1] / he[0] < 3
    with pytest.raises(ValueError, match="scheme"):
        vi.signal_network("relu", 1.0, "lecun")


def test_draw_signal_and_explorer():
    ax = vi.draw_signal("relu", 1.0, "he", depth=5)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title() == "relu, 1 x he"
    assert len(ax.get_lines()) == 2
    pytest.importorskip("ipywidgets")
    panel = vi.signal_explorer(depth=3)
    assert len(panel.children) >= 3


def test_histograms_of_tiny_values_have_no_offset_text():
    # an offset such as "1e-20" under a panel runs into the row below: tick labels carry it
    rng = np.random.default_rng(2)
    rec = {"gradients": [rng.normal(size=(8, 8)) * 1e-20, rng.normal(size=(8, 8)) * 1e-19]}
    fig = vi.plot_depth_histograms({"tiny": rec}, layers=[1, 2], kind="gradients")
    fig.canvas.draw()
    for ax in fig.axes:
        assert ax.xaxis.get_offset_text().get_text() == ""
        assert any("e-" in t.get_text() for t in ax.get_xticklabels())
