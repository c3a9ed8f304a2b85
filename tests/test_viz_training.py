"""minnet.viz.training: toy runs, their explorer and static twin, hidden lines, confusion."""

import numpy as np
import pytest

from minnet.viz import training

pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.mark.parametrize("name", list(training.TOY_SETS))
def test_toy_data_is_keras_shaped(name):
    x, y = training.toy_data(name)
    assert x.shape[1] == 2 and x.dtype == np.float32 and len(y) == len(x)


def test_unknown_toy_set():
    with pytest.raises(ValueError, match="moons"):
        training.toy_data("circles")


def test_draw_toy_run_learns_the_moons_and_reports_it():
    ax = training.draw_toy_run("moons", hidden=8, learning_rate=0.5, epochs=60)
    assert ax.final_accuracy > 0.85
    assert "accuracy" in ax.get_title() and ax.get_xlabel() == "$x_1$"


def test_spirals_get_a_softmax_output():
    model, history, x, y = training.train_toy("spirals", hidden=4, epochs=2)
    assert model.layers[-1].output_shape[-1] == 3 and len(history.history["loss"]) == 2


def test_toy_grid_one_panel_per_setting():
    fig = training.toy_grid([{"data": "xor", "epochs": 20}, {"data": "moons", "epochs": 20}])
    panels = [ax for ax in fig.axes if hasattr(ax, "final_loss")]
    assert len(panels) == 2


def test_toy_explorer_has_the_controls():
    pytest.importorskip("ipywidgets")
    panel = training.toy_explorer()
    names = {getattr(c, "description", None) for c in panel.children}
    assert {"data", "hidden", "learning rate", "epochs", "seed"} <= names


def test_hidden_lines_pass_through_the_zero_set():
    W = np.array([[1.0, 0.0], [1.0, 2.0]])
    b = np.array([-0.5, -1.0])
    ax = training.plot_hidden_lines(W, b)
    for line, j in zip(ax.get_lines(), range(2), strict=True):
        x1, x2 = line.get_data()
        np.testing.assert_allclose(W[0, j] * x1 + W[1, j] * x2 + b[j], 0, atol=1e-12)
    with pytest.raises(ValueError, match=r"\(2, k\)"):
        training.plot_hidden_lines(np.zeros((3, 2)), np.zeros(2))


def test_confusion_matrix_counts():
    m = training.confusion_matrix([0, 1, 2, 2, 1], [0, 2, 2, 2, 1], n_classes=3)
    np.testing.assert_array_equal(m, [[1, 0, 0], [0, 1, 1], [0, 0, 2]])
    ax = training.plot_confusion(m)
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"


def test_plot_mistakes_one_panel_per_image():
    fig = training.plot_mistakes(np.zeros((3, 28, 28)), [1, 2, 3], [7, 7, 8], [0.9, 0.5, 0.6])
    assert len([a for a in fig.axes if a.get_visible()]) == 3
    assert "true 1, said 7" in fig.axes[0].get_title()


def test_bad_arguments_raise_minnet_errors():
    from minnet.errors import ShapeError, UnknownNameError

    with pytest.raises(UnknownNameError):
        training.toy_data("circles")
    with pytest.raises(ShapeError, match="two inputs"):
        training.plot_hidden_lines(np.ones((3, 2)), np.zeros(2))
