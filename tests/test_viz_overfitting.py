"""minnet.viz.overfitting: the small problem, its explorer and static twin, labelled plots."""

import numpy as np
import pytest

plt = pytest.importorskip("matplotlib.pyplot")
pytestmark = pytest.mark.usefixtures("close_figures")

from minnet.viz import overfitting as vo  # noqa: E402


def test_wave_data_shapes_and_noise():
    x, y, x_test, y_test = vo.wave_data(12, 300, 0.3, seed=0)
    assert x.shape == y.shape == (12, 1) and x_test.shape == y_test.shape == (300, 1)
    assert x.dtype == np.float32 and np.all((0 <= x) & (x <= 1))
    residual = y_test - vo.true_wave(x_test)
    assert abs(residual.std() - 0.3) < 0.05
    again = vo.wave_data(12, 300, 0.3, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip((x, y, x_test, y_test), again))


def test_small_net_layers_and_regularizers():
    from minnet.layers import Dense, Dropout
    from minnet.regularizers import L2

    model = vo.small_net(width=8, l2=0.01, dropout=0.3)
    kinds = [type(layer) for layer in model.layers]
    assert kinds == [Dense, Dropout, Dense, Dropout, Dense]
    assert isinstance(model.layers[0].kernel_regularizer, L2)
    assert model.layers[0].kernel_regularizer.l2 == pytest.approx(0.01)
    plain = vo.small_net(width=8)
    assert [type(layer) for layer in plain.layers] == [Dense, Dense, Dense]
    assert plain.layers[0].kernel_regularizer is None


def test_train_small_net_capacity_lowers_training_error():
    data = vo.wave_data()
    _, train_narrow, _ = vo.train_small_net(width=1, data=data, epochs=300)
    _, train_wide, test_wide = vo.train_small_net(width=64, data=data, epochs=300)
    assert train_wide < train_narrow
    assert np.isfinite(test_wide)


def test_data_mse_ignores_the_penalty():
    data = vo.wave_data()
    model = vo.small_net(width=4, l2=10.0)
    x, y = data[0], data[1]
    by_hand = float(np.mean((model.predict(x) - y) ** 2))
    assert vo.data_mse(model, x, y) == pytest.approx(by_hand)
    assert model.evaluate(x, y) > by_hand  # evaluate adds the L2 term


def test_draw_small_net_labels_and_errors():
    ax = vo.draw_small_net(width=4, epochs=50)
    assert ax.get_xlabel() and ax.get_ylabel() and "test MSE" in ax.get_title()
    assert len(ax.errors) == 2


def test_capacity_grid_and_explorer():
    fig = vo.capacity_grid([{"width": 2}, {"width": 16, "dropout": 0.2}], ncols=2, epochs=30)
    assert len(fig.axes) == 2 and len(fig.errors) == 2
    assert "width 2" in fig.axes[0].get_title() and "dropout 0.2" in fig.axes[1].get_title()
    widgets = pytest.importorskip("ipywidgets")
    panel = vo.capacity_explorer(epochs=10)
    assert isinstance(panel, widgets.interactive)
    names = {getattr(c, "description", "") for c in panel.children}
    assert {"width", "L2", "dropout"} <= names


def test_plots_are_labelled():
    grid = np.linspace(0, 1, 50)
    fig = vo.plot_fits(np.array([0.1, 0.5]), np.array([0.0, 1.0]), grid,
                       {"degree 1": grid, "degree 2": grid ** 2}, truth=np.sin(grid))
    assert len(fig.axes) == 2 and all(ax.get_xlabel() for ax in fig.axes)
    ax = vo.plot_bias_variance(np.arange(4), [1, 0.5, 0.2, 0.1], [0.01, 0.1, 1, 10], 0.09,
                               [1.1, 0.7, 1.3, 10.2], [1, 0.4, 0.1, 0.01])
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 5
    ax = vo.plot_train_test({"a": {"train": [0.5, 0.9], "test": [0.4, 0.6]},
                             "b": {"train": [0.6, 1.0], "test": [0.5, 0.7]}},
                            styles={"b": {"lw": 3}})
    assert len(ax.get_lines()) == 4 and ax.get_xlabel() == "epoch"
    assert ax.get_lines()[2].get_linewidth() == 3
    ax = vo.plot_weight_histograms({"w": np.random.default_rng(0).normal(size=500)})
    assert ax.get_xlabel() and ax.get_ylabel()
