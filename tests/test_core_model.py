"""Sequential: building, determinism, dtypes, gradients, weights and the summary."""

import numpy as np
from small_nets import classifier, data

import minnet


def test_same_seed_gives_bit_identical_weights():
    x, y = data()
    a, b = classifier(seed=7), classifier(seed=7)
    ha = a.fit(x, y, epochs=3, batch_size=8, verbose=0)
    hb = b.fit(x, y, epochs=3, batch_size=8, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert ha.history == hb.history
    c = classifier(seed=8)
    c.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_float32_stays_float32_through_training():
    x, y = data()
    model = classifier()
    model.fit(x.astype(np.float64), y, epochs=1, batch_size=8, verbose=0)
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert model.predict(x).dtype == np.float32
    m64 = classifier(dtype="float64")
    m64.fit(x, y, epochs=1, verbose=0)
    assert all(w.dtype == np.float64 for w in m64.get_weights())


def test_gradients_have_the_order_and_shapes_of_get_weights():
    x, y = data()
    model = classifier()
    grads = model.gradients(x, y)
    assert [g.shape for g in grads] == [w.shape for w in model.get_weights()]


def test_input_dim_builds_at_once_and_summary(capsys):
    model = minnet.Sequential([minnet.Dense(128, "relu", input_dim=784), minnet.Dense(10)])
    assert model.built
    model.summary()
    out = capsys.readouterr().out
    assert "100480" in out and "1290" in out and "101,770" in out


def test_save_and_load_weights(tmp_path):
    x, y = data()
    model = classifier()
    model.fit(x, y, epochs=1, verbose=0)
    model.save_weights(tmp_path / "weights.npz")
    other = classifier(seed=99)
    other.build(x.shape)
    other.load_weights(tmp_path / "weights.npz")
    for a, b in zip(model.get_weights(), other.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- optimizers by hand


