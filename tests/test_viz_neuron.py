"""minnet.viz.neuron: the chapter-1 boundary plot, its explorer and its static twin."""

import numpy as np
import pytest

plt = pytest.importorskip("matplotlib.pyplot")
pytestmark = pytest.mark.usefixtures("close_figures")

from minnet.errors import ShapeError, UnknownNameError  # noqa: E402
from minnet.viz import neuron  # noqa: E402


@pytest.mark.parametrize(("data", "w1", "w2", "b", "wrong"), [
    ("AND", 1.0, 1.0, -1.5, 0),
    ("OR", 1.0, 1.0, -0.5, 0),
    ("NAND", -1.0, -1.0, 1.5, 0),
    ("XOR", 1.0, 1.0, -0.5, 1),
    ("XOR", 1.0, 1.0, -1.5, 3),
    ("AND", 0.0, 0.0, 1.0, 3),
])
def test_plot_neuron_counts_mistakes(data, w1, w2, b, wrong):
    ax = neuron.plot_neuron(w1, w2, b, data=data)
    assert ax.misclassified == wrong
    assert f"{wrong} of 4 misclassified" in ax.get_title()
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    assert neuron.count_misclassified(*neuron.DATASETS[data], w1, w2, b) == wrong


def test_plot_neuron_circles_only_the_mistakes():
    ax = neuron.plot_neuron(1.0, 1.0, -0.5, data="XOR")
    circled = [c for c in ax.collections if c.get_label() == "misclassified"]
    assert len(circled) == 1 and len(circled[0].get_offsets()) == 1
    np.testing.assert_allclose(circled[0].get_offsets()[0], [1.0, 1.0])


def test_plot_neuron_on_given_points_and_a_zero_weight_vector():
    x = np.array([[0.0, 0.0], [2.0, 2.0]])
    ax = neuron.plot_neuron(0.0, 0.0, -1.0, x, [0, 1], title="custom")
    assert ax.get_title() == "custom" and ax.misclassified == 1


def test_plot_neuron_rejects_bad_shapes():
    with pytest.raises(ShapeError, match=r"\(n, 2\)"):
        neuron.plot_neuron(1.0, 1.0, 0.0, np.zeros((3, 3)), [0, 1, 0])
    with pytest.raises(ValueError, match="labels"):
        neuron.plot_neuron(1.0, 1.0, 0.0, np.zeros((3, 2)), [0, 1])


def test_plot_neuron_names_data_sets_in_any_case_and_rejects_unknown_ones():
    assert neuron.plot_neuron(1.0, 1.0, -0.5, data="xor").misclassified == 1
    with pytest.raises(UnknownNameError, match="Did you mean 'XOR'"):
        neuron.plot_neuron(data="xr")


def test_cloud_is_separable_by_the_diagonal():
    x, y = neuron.DATASETS["cloud"]
    assert neuron.count_misclassified(x, y, 1.0, 1.0, 0.0) == 0
    assert set(np.unique(y)) == {0, 1}


def test_neuron_grid_draws_one_panel_per_setting():
    settings = [{"data": "AND", "w1": 1.0, "w2": 1.0, "b": -1.5},
                {"data": "XOR", "w1": 1.0, "w2": -1.0, "b": -0.5}]
    fig = neuron.neuron_grid(settings)
    assert len(fig.axes) == 2
    assert "0 misclassified" in fig.axes[0].get_title()
    assert "1 misclassified" in fig.axes[1].get_title()


def test_neuron_explorer_has_the_sliders():
    pytest.importorskip("ipywidgets")
    panel = neuron.neuron_explorer()
    names = [getattr(c, "description", None) for c in panel.children]
    assert {"data", "w1", "w2", "b"} <= set(names)
