"""minnet.metrics: what Keras means by "accuracy"."""

import numpy as np

from minnet import metrics


def test_accuracy_means_what_keras_means():
    assert metrics.get("accuracy", (4,), (4, 1)) is metrics.binary_accuracy
    assert metrics.get("accuracy", (4,), (4, 3)) is metrics.sparse_categorical_accuracy
    assert metrics.get("accuracy", (4, 1), (4, 3)) is metrics.sparse_categorical_accuracy
    assert metrics.get("accuracy", (4, 3), (4, 3)) is metrics.categorical_accuracy
    p = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy([0, 1, 1], p), [1, 1, 0])
    np.testing.assert_array_equal(metrics.binary_accuracy([[1], [0]], [[0.7], [0.5]]), [1, 1])
    np.testing.assert_allclose(metrics.mean_absolute_error([[1.0, 2.0]], [[2.0, 0.0]]), [1.5])
