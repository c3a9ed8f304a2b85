"""minnet.optimizers: each update rule by hand, clipping, dtypes."""

import numpy as np
import pytest

from minnet import optimizers


def _run(opt, grads, w0=1.0):
    w = np.array([w0], dtype=np.float64)
    trajectory = []
    for g in grads:
        opt.apply([w], [np.array([g])])
        trajectory.append(w[0])
    return trajectory


def test_sgd_momentum_and_nesterov_by_hand():
    assert _run(optimizers.SGD(0.1), [1.0, 1.0]) == pytest.approx([0.9, 0.8])
    # m1 = -0.1, w = 0.9; m2 = 0.5 * -0.1 - 0.1 = -0.15, w = 0.75
    assert _run(optimizers.SGD(0.1, momentum=0.5), [1.0, 1.0]) == pytest.approx([0.9, 0.75])
    # Nesterov: w += momentum * m - lr * g: 1 + 0.5 * -0.1 - 0.1 = 0.85
    assert _run(optimizers.SGD(0.1, momentum=0.5, nesterov=True), [1.0]) == pytest.approx([0.85])


def test_adagrad_rmsprop_adam_by_hand():
    eps = 1e-7
    w = 1 - 0.1 * 2 / np.sqrt(0.1 + 4 + eps)
    assert _run(optimizers.Adagrad(0.1), [2.0]) == pytest.approx([w])
    v = 0.1 * 4
    assert _run(optimizers.RMSprop(0.1), [2.0]) == pytest.approx([1 - 0.1 * 2 / np.sqrt(v + eps)])
    # Adam's first step moves every weight by about lr, whatever the gradient's size.
    m, v = 0.1 * 2, 0.001 * 4
    alpha = 0.1 * np.sqrt(1 - 0.999) / (1 - 0.9)
    assert _run(optimizers.Adam(0.1), [2.0]) == pytest.approx([1 - alpha * m / (np.sqrt(v) + eps)])
    assert _run(optimizers.Adam(0.1), [2.0])[0] == pytest.approx(0.9, rel=1e-4)


def test_clipping():
    opt = optimizers.SGD(1.0, clipnorm=1.0)
    w = np.zeros(2)
    opt.apply([w], [np.array([3.0, 4.0])])
    np.testing.assert_allclose(w, [-0.6, -0.8])
    opt = optimizers.SGD(1.0, clipvalue=0.5)
    w = np.zeros(2)
    opt.apply([w], [np.array([3.0, -0.1])])
    np.testing.assert_allclose(w, [-0.5, 0.1])


@pytest.mark.parametrize(("opt", "n_slots"), [
    (optimizers.SGD(), 0),
    (optimizers.SGD(momentum=np.float64(0.9), nesterov=True), 1),
    (optimizers.Adagrad(), 1),
    (optimizers.RMSprop(), 1),
    (optimizers.Adam(), 2),
    (optimizers.Adam(clipnorm=0.1), 2),
], ids=["sgd", "nesterov", "adagrad", "rmsprop", "adam", "adam-clipnorm"])
def test_optimizers_keep_float32(opt, n_slots):
    w = np.ones(3, dtype=np.float32)
    for _ in range(3):
        opt.apply([w], [np.full(3, 0.5, dtype=np.float32)])
    assert w.dtype == np.float32 and np.all(w < 1)  # it moved, and stayed float32
    assert len(opt.slots[0]) == n_slots
    assert all(slot.dtype == np.float32 for slot in opt.slots[0])


TINY = np.finfo(np.float32).tiny


@pytest.mark.parametrize("make", [
    lambda: optimizers.Adam(),
    lambda: optimizers.RMSprop(),
    lambda: optimizers.SGD(0.01, momentum=0.9),
], ids=["adam", "rmsprop", "momentum"])
def test_decaying_state_never_lingers_in_the_subnormal_range(make):
    """A weight whose gradient stays 0 (an MNIST border pixel) has a state that decays by
    0.9 a step; below the smallest normal float each operation on it is many times slower.
    The optimizer flushes such entries to 0 every FLUSH_EVERY steps, and the weights follow
    the same trajectory as without flushing (the flushed entries are below 1e-38)."""
    opt = make()
    w = np.ones(4, dtype=np.float32)
    start = np.array([1.0, 1e-3, 1e-6, 0.0], dtype=np.float32)
    opt.apply([w], [start])
    reference = _unflushed(make(), start)
    longest = 0
    run = 0
    for _ in range(1200):
        opt.apply([w], [np.zeros(4, dtype=np.float32)])
        state = opt.slots[0][0]  # Adam's m, RMSprop's v, the momentum
        subnormal = np.any((state != 0) & (np.abs(state) < TINY))
        run = run + 1 if subnormal else 0
        longest = max(longest, run)
    assert longest < optimizers.FLUSH_EVERY
    np.testing.assert_array_equal(w, reference)


def _unflushed(opt, start):
    """The same 1201 steps with flushing turned off."""
    opt.flush_subnormals = lambda x: None
    w = np.ones(4, dtype=np.float32)
    opt.apply([w], [start])
    for _ in range(1200):
        opt.apply([w], [np.zeros(4, dtype=np.float32)])
    return w


def test_flush_subnormals_zeroes_only_subnormal_entries():
    opt = optimizers.Adam()
    opt.flush_due = True
    x = np.array([TINY, TINY / 2, -TINY / 8, 1e-45, -1.0, 0.0], dtype=np.float32)
    opt.flush_subnormals(x)
    np.testing.assert_array_equal(x, np.array([TINY, 0, 0, 0, -1.0, 0], dtype=np.float32))
