"""One import away: Keras code of the kinds readers bring runs on minnet with only its
import lines changed, and trains the same way.

The corpus holds the Keras code of the online tutorials this book corrects (their data made
small and their epochs few) and the ``Sequential`` styles of the Keras guides (a list of
layers, ``add``, ``Input``, ``input_shape``, no input shape at all), plus what chapter 10
uses (sample and class weights, ``validation_split``, saving, checkpoints). Each snippet
runs twice: as written, with Keras; and with its import lines pointed at minnet
(:func:`to_minnet`; nothing else in the code changes, which the test checks).

Same initial weights: when the Keras run first calls ``fit``, the harness records the
Keras model's weights (building it first if the code left it unbuilt); when the minnet
run first calls ``fit``, the harness copies those weights in. Everything after that is the
snippet's own code. The data a snippet generates with ``np.random`` is the same in both
runs (the global numpy seed is reset before each). Each epoch is one batch (or the
snippet does not shuffle), so shuffling, which draws from different generators in the two
libraries, only reorders a sum.

Tolerance: every history value, and every result the snippet computes (``pred``,
``score``, ...), agrees to ``RTOL = 1e-4`` relative to ``max(1, |Keras's value|)``
(float32; the largest seen is given by :data:`RTOL`'s comment). Snippets with
``Dropout`` draw different masks in the two libraries, so for them the check is looser
(:data:`DROPOUT_RTOL`), stated in the snippet.

What does not translate raises a clear ``minnet.errors`` error saying what minnet lacks:
the last part of the corpus.
"""

from __future__ import annotations

import contextlib
import re
import textwrap

import numpy as np
import pytest

import minnet
from minnet.errors import NotInMinnetError, UnknownArgumentError

keras = pytest.importorskip("keras")

# float32, up to 60 epochs: the largest difference seen was 3.4e-6 (the predictions after
# the save-and-load snippet's Adam steps); 1e-4 leaves room for another BLAS.
RTOL = 1e-4
# Different dropout masks (the snippet with Dropout): over twelve runs the largest relative
# difference seen in a loss was 0.08; the check allows 0.2: it shows the same training, not
# the same numbers. Accuracies are not compared there (on 32 examples they differed by up
# to 8 examples); the outputs at the initial weights (no dropout at inference) are held to
# RTOL like everything else.
DROPOUT_RTOL = 0.2

# --------------------------------------------------------------------------- the imports

_IMPORT_RULES = [
    (r"^from (?:tensorflow\.)?keras\.(\w+) import", r"from minnet.\1 import"),
    (r"^from (?:tensorflow\.)?keras import", "from minnet import"),
    (r"^from tensorflow import keras$", "import minnet as keras"),
    (r"^import tensorflow as tf$", "import minnet as tf"),
    (r"^import keras$", "import minnet as keras"),
]


def to_minnet(code: str) -> str:
    """``code`` with its Keras import lines pointed at minnet; every other line unchanged."""
    lines = []
    for line in code.splitlines():
        if re.match(r"^(import|from) ", line):
            for pattern, replacement in _IMPORT_RULES:
                line = re.sub(pattern, replacement, line)
        lines.append(line)
    return "\n".join(lines)


def test_only_import_lines_change():
    for snippet in CORPUS.values():
        before, after = snippet["code"].splitlines(), to_minnet(snippet["code"]).splitlines()
        changed = [a for a, b in zip(before, after, strict=True) if a != b]
        assert changed and all(re.match(r"^(import|from) ", line) for line in changed)
        assert not any(re.search(r"\b(tensorflow|keras)\b[.\w]* import", line) and
                       "minnet" not in line for line in after)


# --------------------------------------------------------------------------- the corpus


def images(n=32, seed=0):
    """Small stand-ins for MNIST: ``n`` 28x28 images in [0, 1] and labels 0-9 that depend
    on them (which tenth of the image is brightest), and a test set of 16."""
    rng = np.random.default_rng(seed)
    x = rng.random((n + 16, 28, 28))
    y = np.argmax(x.reshape(n + 16, -1)[:, :780].reshape(n + 16, 10, 78).sum(axis=-1), axis=1)
    return {"x_train": x[:n], "y_train": y[:n], "x_test": x[n:], "y_test": y[n:]}


def table(n=40, features=4, seed=0):
    """``x`` with a regression target ``y``, class labels ``labels`` (0-2), a 0/1 target
    ``y01`` and per-example weights ``w``."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, features)).astype("float32")
    return {"x": x, "y": np.sin(x[:, :1]) + 0.5 * x[:, 1:2],
            "labels": np.argmax(x[:, :3], axis=1), "y01": (x[:, :1] * x[:, 1:2] > 0) * 1.0,
            "w": rng.uniform(0.5, 2.0, n).astype("float32")}


CORPUS = {
    # The tutorials' Keras code, quoted, with small data and few epochs.
    "tutorial: MNIST with Flatten(input_shape) and Dropout": dict(data=images, dropout=True, compare=["score"], code="""
import numpy as np
import tensorflow as tf
from tensorflow import keras

model = keras.models.Sequential([
    keras.layers.Flatten(input_shape=(28, 28)),
    keras.layers.Dense(128, activation='relu'),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(10, activation='softmax')
])
model.compile(optimizer='adam',
              loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])
model.fit(x_train, y_train, epochs=2)
score = model.evaluate(x_test, y_test)
"""),
    "tutorial: add with input_dim, regression on random data": dict(data=dict, compare=[], code="""
from keras.models import Sequential
from keras.layers import Dense
import numpy as np

X = np.random.rand(32, 10)
y = np.random.rand(32, 1)

model = Sequential()
model.add(Dense(64, input_dim=10, activation='relu'))
model.add(Dense(1, activation='linear'))
model.compile(optimizer='adam', loss='mean_squared_error')
model.fit(X, y, epochs=20, batch_size=32)
"""),
    "tutorial: tensorflow.keras imports, input_dim=784": dict(
        data=lambda: {k: v.reshape(len(v), -1) if k.startswith("x") else v
                      for k, v in images(128).items()}, compare=[], code="""
import tensorflow as tf
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense

model = Sequential()
model.add(Dense(32, activation='relu', input_dim=784))
model.add(Dense(10, activation='softmax'))
model.compile(optimizer='adam',
              loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])
model.fit(x_train, y_train,
          batch_size=128,
          epochs=3,
          verbose=1)
"""),
    "tutorial: tf.keras, Dense(1, input_shape=(1,)), SGD": dict(data=dict, compare=["pred"], code="""
import numpy as np
import tensorflow as tf

np.random.seed(1)
X = np.random.rand(32, 1)
y = 3 * X + np.random.rand(32, 1)
model = tf.keras.models.Sequential([
    tf.keras.layers.Dense(1, input_shape=(1,))
])
model.compile(optimizer='sgd', loss='mse')
model.fit(X, y, epochs=60, verbose=0)
pred = model.predict(X)
"""),
    # The Sequential styles of the Keras guides.
    "guide: a list of layers after keras.Input": dict(data=table, compare=["pred"], code="""
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(4,)),
    layers.Dense(8, activation="relu", name="layer1"),
    layers.Dense(3, activation="relu", name="layer2"),
    layers.Dense(1, name="layer3"),
])
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
              loss=keras.losses.MeanSquaredError(), metrics=["mae"])
history = model.fit(x, y, batch_size=32, epochs=5, validation_split=0.2, verbose=0)
pred = model.predict(x[:3])
"""),
    "guide: add, one-hot labels, SGD with momentum": dict(data=table, compare=["score"], code="""
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential()
model.add(keras.Input(shape=(4,)))
model.add(layers.Dense(8, activation="relu"))
model.add(layers.Dense(3, activation="softmax"))
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
              loss="categorical_crossentropy", metrics=["accuracy"])
targets = keras.utils.to_categorical(labels, 3)
model.fit(x, targets, epochs=5, batch_size=16, shuffle=False, verbose=0)
score = model.evaluate(x, targets, verbose=0)
"""),
    "guide: input_shape on the first layer, class weights": dict(data=table, compare=["loss", "acc"], code="""
from keras.models import Sequential
from keras.layers import Activation, Dense

model = Sequential([Dense(16, input_shape=(4,)), Activation("tanh"),
                    Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
model.fit(x, y01, epochs=5, batch_size=40, class_weight={0: 1.0, 1: 3.0}, verbose=0)
loss, acc = model.evaluate(x, y01, verbose=0)
"""),
    "guide: no input shape, built by fit; sample weights": dict(data=table, compare=["score"], code="""
import keras

model = keras.Sequential()
model.add(keras.layers.Dense(8, activation="tanh"))
model.add(keras.layers.Dense(1))
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=8, batch_size=40, sample_weight=w, verbose=0)
score = model.evaluate(x, y, sample_weight=w, verbose=0)
"""),
    "chapter 10's tools: save, load_model, checkpoints, early stopping": dict(
        data=table, compare=["pred", "again"], code="""
import keras
from keras import callbacks

model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(6, activation="relu"),
                          keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
keep = [callbacks.ModelCheckpoint("best.keras", monitor="val_loss", save_best_only=True),
        callbacks.EarlyStopping(monitor="val_loss", patience=3),
        callbacks.CSVLogger("log.csv")]
model.fit(x, y, epochs=6, batch_size=40, shuffle=False, validation_data=(x, y),
          callbacks=keep, verbose=0)
model.save("last.keras")
pred = keras.models.load_model("last.keras").predict(x)
again = keras.models.load_model("best.keras").predict(x)
"""),
}


# --------------------------------------------------------------------------- the harness


@contextlib.contextmanager
def patched_fit(cls, before_first_fit, histories):
    """Make ``cls.fit`` call ``before_first_fit(model, x)`` once (after building the model
    if the code did not), and collect the histories of every ``fit``."""
    own = cls.__dict__.get("fit")
    original = cls.fit
    done = []

    def fit(self, x=None, y=None, *args, **kwargs):
        if not done:
            if not self.built:
                self.build((None, *np.shape(x)[1:]))
            before_first_fit(self, x)
            done.append(True)
        history = original(self, x, y, *args, **kwargs)
        histories.append(history.history)
        return history

    cls.fit = fit
    try:
        yield
    finally:
        if own is None:
            del cls.fit
        else:
            cls.fit = own


def run(code, data, cls, before_first_fit, directory, monkeypatch):
    """Execute ``code`` with ``data`` in its namespace, in ``directory``; returns
    ``(namespace, histories)``."""
    histories, namespace = [], dict(data)
    monkeypatch.chdir(directory)
    np.random.seed(0)  # noqa: NPY002 (the snippets draw their data from it)
    with patched_fit(cls, before_first_fit, histories):
        exec(compile(textwrap.dedent(code), "<snippet>", "exec"), namespace)  # noqa: S102
    return namespace, histories


def assert_close(ours, theirs, rtol, what):
    ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
    assert ours.shape == theirs.shape, f"{what}: shapes {ours.shape} vs Keras {theirs.shape}"
    err = float(np.max(np.abs(ours - theirs))) if ours.size else 0.0
    assert err <= rtol * max(1.0, float(np.max(np.abs(theirs)))), (
        f"{what}: minnet {ours.ravel()[:6]} vs Keras {theirs.ravel()[:6]} (largest difference {err:.3g})")


def compared(snippet, key, ours, theirs):
    """``(ours, theirs, tolerance)`` for one compared value: RTOL, or with Dropout the
    losses alone (``evaluate``'s ``[loss, accuracy]`` is cut to its loss) to DROPOUT_RTOL."""
    if not snippet.get("dropout"):
        return ours, theirs, RTOL
    if "acc" in key:
        return 0.0, 0.0, RTOL
    if isinstance(theirs, list):
        ours, theirs = ours[0], theirs[0]
    return ours, theirs, DROPOUT_RTOL


@pytest.mark.parametrize("name", list(CORPUS))
def test_snippet_trains_the_same_on_minnet(name, tmp_path, monkeypatch):
    snippet = CORPUS[name]
    data = snippet["data"]()
    keras_dir, minnet_dir = tmp_path / "keras", tmp_path / "minnet"
    keras_dir.mkdir()
    minnet_dir.mkdir()
    initial = {}

    def record(model, x):
        initial["weights"] = model.get_weights()
        initial["outputs"] = model.predict(x, verbose=0)

    def copy(model, x):
        model.set_weights(initial["weights"])
        initial["minnet outputs"] = model.predict(x)

    theirs, keras_histories = run(snippet["code"], data, keras.Sequential, record, keras_dir,
                                  monkeypatch)
    ours, minnet_histories = run(to_minnet(snippet["code"]), data, minnet.Sequential, copy,
                                 minnet_dir, monkeypatch)

    assert isinstance(ours["model"], minnet.Sequential)
    # the same network: the same outputs at the same initial weights, dropout or not
    assert_close(initial["minnet outputs"], initial["outputs"], RTOL, f"{name}: initial outputs")
    assert len(minnet_histories) == len(keras_histories) >= 1
    for mine, keras_history in zip(minnet_histories, keras_histories, strict=True):
        assert set(mine) == set(keras_history)
        for key in keras_history:
            assert_close(*compared(snippet, key, mine[key], keras_history[key]),
                         f"{name}: history[{key!r}]")
    for variable in snippet["compare"]:
        assert_close(*compared(snippet, variable, ours[variable], theirs[variable]),
                     f"{name}: {variable}")
    assert sorted(p.name for p in minnet_dir.iterdir()) == sorted(p.name for p in keras_dir.iterdir())


# --------------------------------------------------------------------------- what minnet lacks

UNTRANSLATABLE = {
    "a convolution layer": ("""
import keras
model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Conv2D(8, 3)])
""", NotInMinnetError, ["'Conv2D'", "Dense"]),
    "the functional API": ("""
import keras
inputs = keras.Input(shape=(4,))
outputs = keras.layers.Dense(1)(inputs)
model = keras.Model(inputs, outputs)
""", NotInMinnetError, ["functional API", "Sequential"]),
    "compile(jit_compile=True)": ("""
import keras
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse", jit_compile=True)
""", UnknownArgumentError, ["'jit_compile'", "does not support"]),
    "an optimizer minnet lacks": ("""
from keras import optimizers
opt = optimizers.AdamW(learning_rate=1e-3)
""", NotInMinnetError, ["'AdamW'", "Adam"]),
    "a loss minnet lacks": ("""
import keras
loss = keras.losses.Huber()
""", NotInMinnetError, ["'Huber'", "MeanSquaredError"]),
    "a callback minnet lacks": ("""
import keras
board = keras.callbacks.TensorBoard("logs")
""", NotInMinnetError, ["'TensorBoard'", "ModelCheckpoint"]),
    "a weight constraint": ("""
from keras.layers import Dense
layer = Dense(4, kernel_constraint="max_norm")
""", UnknownArgumentError, ["'kernel_constraint'", "no weight constraints"]),
}


@pytest.mark.parametrize("name", list(UNTRANSLATABLE))
def test_what_does_not_translate_says_what_minnet_lacks(name):
    code, error, words = UNTRANSLATABLE[name]
    exec(compile(code, "<snippet>", "exec"), {})  # runs with Keras  # noqa: S102
    with pytest.raises(error) as info:
        exec(compile(to_minnet(code), "<snippet>", "exec"), {})  # noqa: S102
    for word in words:
        assert word in str(info.value), str(info.value)


def test_to_categorical_is_keras_s():
    for labels, classes in (([0, 2, 1], None), (np.array([[1], [0], [3]]), 5),
                            (np.arange(6).reshape(2, 3), None)):
        ours = minnet.utils.to_categorical(labels, classes)
        theirs = keras.utils.to_categorical(labels, classes)
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)


MNIST_TUTORIAL = """
import numpy as np
import tensorflow as tf
from tensorflow import keras

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0
x_train, y_train = x_train[:3000], y_train[:3000]  # (not in the tutorial: a smaller run)

model = keras.models.Sequential([
    keras.layers.Flatten(input_shape=(28, 28)),
    keras.layers.Dense(128, activation='relu'),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(10, activation='softmax')
])
model.compile(optimizer='adam',
              loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])
model.fit(x_train, y_train, epochs=1, verbose=0)
result = model.evaluate(x_test, y_test)
"""


def test_the_mnist_tutorial_runs_on_minnet_with_its_data(tmp_path):
    """The tutorial, data loading included (3000 training images and one epoch instead of
    60000 and five, no progress bar), on minnet only: Keras would download MNIST, minnet
    reads it from ``MINNET_DATA_DIR`` or its cache. That one epoch reaches more than 80%
    test accuracy (0.85 to 0.87 in three unseeded runs)."""
    try:
        minnet.datasets.mnist.load_data()
    except minnet.errors.DataUnavailableError:
        pytest.skip("MNIST is not on this machine (set MINNET_DATA_DIR)")
    namespace = {}
    exec(compile(to_minnet(MNIST_TUTORIAL), "<tutorial>", "exec"), namespace)  # noqa: S102
    loss, accuracy = namespace["result"]
    assert accuracy > 0.8, namespace["result"]


def test_a_file_keras_saved_gets_an_error_naming_the_way_across(tmp_path):
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
    model.save(tmp_path / "model.keras")
    with pytest.raises(minnet.errors.ModelFileError, match="Keras model file.*from_keras"):
        minnet.models.load_model(tmp_path / "model.keras")
    twin = minnet.keras.from_keras(keras.models.load_model(tmp_path / "model.keras"))
    assert all(np.array_equal(a, b) for a, b in zip(twin.get_weights(), model.get_weights()))
