"""Reproducing the classic fully connected MNIST results with minnet and with Keras.

Run from the repository root::

    python benchmarks/classics.py --all      # every run not done yet (hours on one core)
    python benchmarks/classics.py --table    # benchmarks/classics/results.md and the
                                             # package data the appendix reads
    python benchmarks/classics.py --quick    # a few-second smoke run (used by a test)
    python benchmarks/classics.py --run n1-30 minnet 0   # one run

Every (row, library, seed) run writes its own JSON file into ``benchmarks/classics/runs/``
after each epoch (``"complete": false`` until the last), with the configuration, the
per-epoch accuracies and times, library versions, machine, date and load average. ``--all``
skips the runs already complete, so it can be stopped and started again; ``--table`` builds
the table from whatever complete runs exist.

The rows, and how each publication's conventions become minnet's and Keras's (the
appendix ``book/classics.ipynb`` derives each conversion and checks it numerically):

- Nielsen, *Neural Networks and Deep Learning* (2015), chapters 1 and 3. His split of the
  MNIST training set: the first 50 000 images train, the last 10 000 are his validation
  set; the 10 000 test images are the test set. Mini-batches of 10, reshuffled each epoch.
  His quadratic cost ``(1/2) sum_k (a_k - y_k)^2`` has 5 times the gradient of Keras's
  ``"mse"`` (a mean over the 10 outputs, gradient ``2 (a - y) / 10``), so
  ``learning_rate = 5 eta``. His cross-entropy sums over the 10 sigmoid outputs, Keras's
  ``"binary_crossentropy"`` averages over them: ``learning_rate = 10 eta``. His L2 term
  ``(lambda / 2n) sum w^2`` with ``n = 50 000``, divided by that same factor ``r`` (the loss
  is ``1/r`` of his, the step ``r`` times his), is ``L2(lambda / (2 n r))``. His weights and
  biases N(0, 1) (``large_weight_initializer``) are ``RandomNormal(stddev=1)`` for kernel
  and bias; his later default N(0, 1/n_in) weights are ``RandomNormal(stddev=1/sqrt(n_in))``.
- LeCun et al. (1998), "Gradient-based learning applied to document recognition", Proc.
  IEEE 86(11): a 784-300-10 network with mean squared error, 4.7 % test error. The paper
  does not give that network's schedule; we take what it gives for its own networks:
  hidden units ``tanh`` (the paper's squashing function is a scaled tanh, appendix A),
  weights uniform in ``+-2.4 / F_in`` (appendix A), and LeNet-5's schedule (section V: 20
  passes, the learning rate stepped down in the ratios 1, 0.4, 0.2, 0.1, 0.02 after 2, 5,
  8 and 12 passes) compressed to 10 passes, all 60 000 training images, no distortions.
- Simard, Steinkraus and Platt (2003), "Best practices for convolutional neural networks
  applied to visual document analysis", ICDAR: a 784-800-10 network with cross-entropy,
  1.6 % test error without distortions. We use softmax outputs with cross-entropy, tanh
  hidden units, Glorot-uniform weights, all 60 000 training images, no distortions, and a
  step schedule chosen here (not the paper's): learning rate 0.05, multiplied by 0.3 after
  epochs 3 and 5, over 6 epochs only (see ``EPOCHS_NOTE``).

Both libraries run on one core: ``OPENBLAS_NUM_THREADS=1`` for numpy, and TensorFlow's
intra- and inter-op thread pools set to 1. Keras is compiled with
``steps_per_execution=STEPS_PER_EXECUTION``, which runs that many training steps inside one
call of its compiled graph: the arithmetic of each step is unchanged, the Python overhead
between steps of 10 examples is not paid each time.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT.parent / "shared" / "data"
if "MINNET_DATA_DIR" not in os.environ and DATA_DIR.is_dir():
    os.environ["MINNET_DATA_DIR"] = str(DATA_DIR)

import numpy as np  # noqa: E402

import minnet  # noqa: E402

HERE = Path(__file__).resolve().parent / "classics"
RUNS = HERE / "runs"
TABLE = HERE / "results.md"
PACKAGE_DATA = ROOT / "src" / "minnet" / "results" / "classics.json"
STEPS_PER_EXECUTION = 100
#: How the Keras runs reshuffle: see ``run``. Runs without it fed Keras the same order each
#: epoch; they are kept apart, in ``runs/keras-same-order/``.
KERAS_SHUFFLE = "numpy permutation before each epoch, then fit(shuffle=False)"
SAME_ORDER = RUNS / "keras-same-order"
N_TRAIN_NIELSEN = 50_000
LIBRARIES = ("minnet", "keras")
SEEDS = (0, 1, 2)
EPOCHS_NOTE = (
    "To fit the CPU budget, LeCun's row runs 10 passes with LeNet-5's schedule of 20 passes "
    "compressed by half (the learning rate stepped down after passes 1, 3, 4 and 6 in the "
    "ratios 0.4, 0.2, 0.1, 0.02), and Simard's row 6 epochs with a step schedule chosen "
    "here; both without distortions, as the published figures."
)


# --------------------------------------------------------------------------- the rows


@dataclasses.dataclass(frozen=True)
class Row:
    """One published configuration, in its author's terms and in minnet's/Keras's."""

    name: str
    source: str
    description: str
    hidden: int
    hidden_activation: str
    output_activation: str
    loss: str  # minnet/Keras name
    learning_rate: float  # minnet/Keras learning rate (converted)
    epochs: int
    kernel_init: tuple  # ("normal", stddev), ("scaled_normal",), ("fan_in_uniform", c)
    # (uniform in +-c / n_in) or ("glorot_uniform",)
    bias_init: tuple  # ("normal", stddev) or ("zeros",)
    l2: float = 0.0  # minnet/Keras L2 coefficient (converted)
    batch_size: int = 10
    split: str = "nielsen"  # "nielsen": 50k/10k/10k; "full": 60k train, 10k test
    schedule: tuple = ()  # ((epoch, factor), ...): from that epoch on, lr * factor
    published: float | None = None  # accuracy
    published_metric: str = "test"  # "test" or "validation"
    published_epochs: int | None = None  # epochs the published figure refers to
    published_note: str = ""
    minnet_only: bool = False  # a variant measured with minnet alone

    @property
    def metric(self):
        return "val" if self.published_metric == "validation" else "test"

    @property
    def compare_epochs(self):
        return self.published_epochs or self.epochs

    def learning_rate_at(self, epoch):
        factor = 1.0
        for start, f in self.schedule:
            if epoch >= start:
                factor = f
        return self.learning_rate * factor


NIELSEN_CH1 = "Nielsen (2015), ch. 1"
NIELSEN_CH3 = "Nielsen (2015), ch. 3"
N01 = ("normal", 1.0)
ROWS = [
    Row("n1-30", NIELSEN_CH1, "784-30-10 sigmoid, quadratic cost, eta 3.0",
        30, "sigmoid", "sigmoid", "mse", 5 * 3.0, 30, N01, N01,
        published=0.9542, published_note="peak epoch, best of three runs"),
    Row("n1-100", NIELSEN_CH1, "784-100-10 sigmoid, quadratic cost, eta 3.0",
        100, "sigmoid", "sigmoid", "mse", 5 * 3.0, 30, N01, N01,
        published=0.9659, published_note="peak epoch"),
    Row("n3-30-ce", NIELSEN_CH3, "784-30-10 sigmoid, cross-entropy, eta 0.5",
        30, "sigmoid", "sigmoid", "binary_crossentropy", 10 * 0.5, 30, N01, N01,
        published=0.9549, published_note="peak epoch"),
    Row("n3-30-l2", NIELSEN_CH3, "784-30-10 sigmoid, cross-entropy, eta 0.5, L2 lambda 5.0",
        30, "sigmoid", "sigmoid", "binary_crossentropy", 10 * 0.5, 30, N01, N01,
        l2=5.0 / (2 * N_TRAIN_NIELSEN * 10),
        published=0.9649, published_note="peak epoch"),
    Row("n3-100-l2", NIELSEN_CH3,
        "784-100-10 sigmoid, cross-entropy, eta 0.5, L2 lambda 5.0",
        100, "sigmoid", "sigmoid", "binary_crossentropy", 10 * 0.5, 30, N01, N01,
        l2=5.0 / (2 * N_TRAIN_NIELSEN * 10),
        published=0.9792, published_metric="validation",
        published_note="on his validation set, after 30 epochs; his 60-epoch run used "
                       "eta 0.1 and gave 98.04 %"),
    Row("lecun-300", "LeCun et al. (1998)",
        "784-300-10 tanh/sigmoid, mean squared error, 10 passes, stepped learning rate",
        300, "tanh", "sigmoid", "mse", 5 * 0.5, 10, ("fan_in_uniform", 2.4), ("zeros",),
        split="full", schedule=((1, 0.4), (3, 0.2), (4, 0.1), (6, 0.02)),
        published=1 - 0.047, published_note="test error 4.7 %"),
    Row("simard-800", "Simard et al. (2003)",
        "784-800-10 tanh/softmax, cross-entropy, 6 epochs, learning rate x0.3 at 3 and 5",
        800, "tanh", "softmax", "sparse_categorical_crossentropy", 0.05, 6,
        ("glorot_uniform",), ("zeros",), split="full", schedule=((3, 0.3), (5, 0.09)),
        published=1 - 0.016, published_note="test error 1.6 %, no distortions"),
    # Variants measured with minnet alone: the effect of the initializer, measured.
    Row("n1-100-scaled", NIELSEN_CH1,
        "as n1-100 with Nielsen's later default N(0, 1/n_in) weights (chapter 3)",
        100, "sigmoid", "sigmoid", "mse", 5 * 3.0, 30, ("scaled_normal",), N01,
        published=0.9659, published_note="variant of n1-100", minnet_only=True),
    Row("n3-30-l2-scaled", NIELSEN_CH3,
        "as n3-30-l2 with Nielsen's default N(0, 1/n_in) weights",
        30, "sigmoid", "sigmoid", "binary_crossentropy", 10 * 0.5, 30,
        ("scaled_normal",), N01, l2=5.0 / (2 * N_TRAIN_NIELSEN * 10),
        published=0.9649, published_note="variant of n3-30-l2", minnet_only=True),
]
ROWS_BY_NAME = {row.name: row for row in ROWS}
QUICK = dataclasses.replace(ROWS[0], name="quick", epochs=2, published=None)
NIELSEN_LOOP = "nielsen-loop"  # the library name of the per-example formulation


# --------------------------------------------------------------------------- data


def load_data(split):
    """``(x_train, y_train, x_val, y_val, x_test, y_test)``, float32 in [0, 1]; the
    validation arrays are empty for the ``"full"`` split."""
    (x, y), (xt, yt) = minnet.datasets.load_mnist()
    x = x.reshape(len(x), -1).astype(np.float32) / np.float32(255)
    xt = xt.reshape(len(xt), -1).astype(np.float32) / np.float32(255)
    y, yt = y.astype(np.int64), yt.astype(np.int64)
    if split == "nielsen":
        n = N_TRAIN_NIELSEN
        return x[:n], y[:n], x[n:], y[n:], xt, yt
    return x, y, x[:0], y[:0], xt, yt


def targets(row, labels):
    """One-hot rows for the losses on sigmoid outputs, integer labels for softmax."""
    if row.loss == "sparse_categorical_crossentropy":
        return labels
    return np.eye(10, dtype=np.float32)[labels]


# --------------------------------------------------------------------------- the libraries


def initializer(spec, n_in, lib):
    """The initializer ``spec`` as a minnet (``lib=minnet``) or Keras (``lib=keras``) object."""
    kind = spec[0]
    if kind == "normal":
        return lib.initializers.RandomNormal(stddev=spec[1])
    if kind == "scaled_normal":
        return lib.initializers.RandomNormal(stddev=1 / math.sqrt(n_in))
    if kind == "fan_in_uniform":  # LeCun et al. (1998): uniform in +-2.4 / n_in
        return lib.initializers.RandomUniform(minval=-spec[1] / n_in, maxval=spec[1] / n_in)
    if kind == "glorot_uniform":
        return lib.initializers.GlorotUniform()
    return lib.initializers.Zeros()


def build_minnet(row, seed):
    layers = []
    for units, activation, n_in in [(row.hidden, row.hidden_activation, 784),
                                    (10, row.output_activation, row.hidden)]:
        layers.append(minnet.layers.Dense(
            units, activation=activation, **({"input_dim": 784} if n_in == 784 else {}),
            kernel_initializer=initializer(row.kernel_init, n_in, minnet),
            bias_initializer=initializer(row.bias_init, n_in, minnet),
            kernel_regularizer=minnet.regularizers.L2(row.l2) if row.l2 else None))
    model = minnet.Sequential(layers, seed=seed)
    model.compile(optimizer=minnet.optimizers.SGD(row.learning_rate), loss=row.loss)
    return model


def build_keras(row, seed):
    import keras

    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    layers = [keras.Input((784,))]
    for units, activation, n_in in [(row.hidden, row.hidden_activation, 784),
                                    (10, row.output_activation, row.hidden)]:
        layers.append(keras.layers.Dense(
            units, activation=activation,
            kernel_initializer=initializer(row.kernel_init, n_in, keras),
            bias_initializer=initializer(row.bias_init, n_in, keras),
            kernel_regularizer=keras.regularizers.L2(row.l2) if row.l2 else None))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.SGD(row.learning_rate), loss=row.loss,
                  steps_per_execution=STEPS_PER_EXECUTION)
    return model


def accuracy(predict, x, y):
    if len(x) == 0:
        return None
    return float(np.mean(np.argmax(predict(x), axis=1) == y))


def evaluate(predict, xv, yv, xt, yt):
    """Validation and test accuracy, and how often each class is predicted on the test
    set (a class never predicted points at an output unit stuck in saturation)."""
    guesses = np.argmax(predict(xt), axis=1)
    val = None if len(xv) == 0 else float(np.mean(np.argmax(predict(xv), axis=1) == yv))
    return {"val_accuracy": val, "test_accuracy": float(np.mean(guesses == yt)),
            "test_predicted_counts": np.bincount(guesses, minlength=10).tolist()}


def epoch_callback(base, record, predict, row):
    """A callback class (minnet's or Keras's ``Callback`` as ``base``) that sets the
    learning rate of the schedule, times each epoch from ``on_epoch_begin`` to
    ``on_epoch_end`` and, after stopping the clock, measures the accuracies."""

    class EpochRecorder(base):
        def on_epoch_begin(self, epoch, logs=None):
            if row.schedule:
                self.model.optimizer.learning_rate = row.learning_rate_at(epoch)
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds = time.perf_counter() - self.start
            record(epoch, seconds, predict(self.model))

    return EpochRecorder()


# --------------------------------------------------------------------------- Nielsen's formulation


def nielsen_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class NielsenNetwork:
    """The per-example formulation of Nielsen's ``network.py`` (chapter 1) and
    ``network2.py`` (chapter 3), written anew: float64 column vectors, biases ``b^l`` of
    shape ``(n_l, 1)``, weights ``w^l = (W^l)^T`` of shape ``(n_l, n_{l-1})``, and for each
    mini-batch a Python loop over its examples that backpropagates one example at a time
    and sums the gradients. ``cost`` is ``"quadratic"`` (``(1/2) ||a - y||^2``) or
    ``"cross_entropy"`` (summed over the sigmoid outputs); ``lmbda`` and ``n_total`` give the
    L2 weight decay ``w <- (1 - eta lmbda / n_total) w - ...``."""

    def __init__(self, sizes, seed=0, cost="quadratic", lmbda=0.0, n_total=N_TRAIN_NIELSEN):
        rng = np.random.default_rng(seed)
        self.w = [rng.standard_normal((n, m)) for m, n in zip(sizes[:-1], sizes[1:])]
        self.b = [rng.standard_normal((n, 1)) for n in sizes[1:]]
        self.rng, self.cost, self.lmbda, self.n_total = rng, cost, lmbda, n_total

    @classmethod
    def from_weights(cls, weights, **kwargs):
        """From a batch-first ``[W1, b1, W2, b2]`` (minnet's and Keras's order)."""
        net = cls([weights[0].shape[0], *(W.shape[1] for W in weights[::2])], **kwargs)
        net.w = [np.array(W, dtype=np.float64).T for W in weights[::2]]
        net.b = [np.array(b, dtype=np.float64).reshape(-1, 1) for b in weights[1::2]]
        return net

    def get_weights(self):
        out = []
        for w, b in zip(self.w, self.b):
            out += [w.T.copy(), b.ravel().copy()]
        return out

    def gradients_one(self, x, y):
        """dC_x/dw^l and dC_x/db^l for one example."""
        activations = [x]
        for w, b in zip(self.w, self.b):
            activations.append(nielsen_sigmoid(w @ activations[-1] + b))
        a = activations[-1]
        delta = (a - y) * a * (1 - a) if self.cost == "quadratic" else a - y
        grad_w, grad_b = [None] * len(self.w), [None] * len(self.b)
        for layer in range(len(self.w) - 1, -1, -1):
            grad_w[layer] = delta @ activations[layer].T
            grad_b[layer] = delta
            if layer:
                s = activations[layer]
                delta = (self.w[layer].T @ delta) * s * (1 - s)
        return grad_w, grad_b

    def update_mini_batch(self, batch, eta):
        sum_w = [np.zeros_like(w) for w in self.w]
        sum_b = [np.zeros_like(b) for b in self.b]
        for x, y in batch:
            grad_w, grad_b = self.gradients_one(x, y)
            for total, g in zip(sum_w + sum_b, grad_w + grad_b):
                total += g
        m = len(batch)
        decay = 1 - eta * self.lmbda / self.n_total
        self.w = [decay * w - (eta / m) * g for w, g in zip(self.w, sum_w)]
        self.b = [b - (eta / m) * g for b, g in zip(self.b, sum_b)]

    def epoch(self, examples, batch_size, eta):
        order = self.rng.permutation(len(examples))
        for start in range(0, len(examples), batch_size):
            self.update_mini_batch([examples[i] for i in order[start:start + batch_size]], eta)

    def predict(self, x):
        """Outputs for a batch of row vectors (vectorised, for evaluation only)."""
        a = x.T.astype(np.float64)
        for w, b in zip(self.w, self.b):
            a = nielsen_sigmoid(w @ a + b)
        return a.T


def column_examples(x, labels):
    """Nielsen's training data: a list of (784x1, 10x1) float64 column-vector pairs."""
    eye = np.eye(10)
    return [(xi.reshape(-1, 1).astype(np.float64), eye[label].reshape(-1, 1))
            for xi, label in zip(x, labels)]


# --------------------------------------------------------------------------- one run


def machine():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": f"{os.cpu_count()} cores ({cpu})", "os": platform.platform()}


def versions(lib):
    blas = np.__config__.CONFIG.get("Build Dependencies", {}).get("blas", {})
    out = {"python": platform.python_version(), "numpy": np.__version__,
           "blas": f"{blas.get('name', '?')} {blas.get('version', '')}".strip(),
           "minnet": getattr(minnet, "__version__", "?")}
    if lib == "keras":
        import keras
        import tensorflow as tf

        out.update(tensorflow=tf.__version__, keras=keras.__version__)
    return out


def matmul_gflops(n=1024, repeats=5):
    """float32 matrix-product throughput of this process (GFLOP/s, best of ``repeats``)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    a @ b
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def run_path(row_name, lib, seed, runs=RUNS):
    return runs / f"{row_name}--{lib}--seed{seed}.json"


def is_complete(path, row=None):
    """Whether the run file at ``path`` is complete (and, given ``row``, of its current
    configuration: a run of an older configuration is run again)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return data.get("complete", False) and (row is None or _same_config(data, row))


def _same_config(data, row, same_order=False):
    """Whether a run is of ``row``'s current configuration (with ``same_order``: a Keras
    run of it from before the per-epoch shuffle)."""
    if data["library"] == "keras" and (data.get("keras_shuffle") == KERAS_SHUFFLE) == same_order:
        return False
    return data["config"] == json.loads(json.dumps(dataclasses.asdict(row)))


def run(row, lib, seed, runs=RUNS, command=None, n_train=None):
    """Train ``row`` with ``lib`` from ``seed``; write the run file after every epoch."""
    if lib == "keras":
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(1)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:
            pass  # already initialised in this process: the first call set them
    gflops = matmul_gflops()
    x, labels, xv, yv, xt, yt = load_data(row.split)
    if n_train:
        x, labels = x[:n_train], labels[:n_train]
        xv, yv, xt, yt = xv[:n_train], yv[:n_train], xt[:n_train], yt[:n_train]
    path = run_path(row.name, lib, seed, runs)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "row": row.name, "library": lib, "seed": seed, "config": dataclasses.asdict(row),
        "n_train": len(x), "n_validation": len(xv), "n_test": len(xt),
        "command": command or " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(), "versions": versions(lib),
        "threads": {"OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
                    "tensorflow_intra_op": 1 if lib == "keras" else None,
                    "tensorflow_inter_op": 1 if lib == "keras" else None,
                    "keras_steps_per_execution": STEPS_PER_EXECUTION if lib == "keras" else None},
        "matmul_gflops": gflops, "load_start": os.getloadavg(),
        "keras_shuffle": KERAS_SHUFFLE if lib == "keras" else None,
        "epochs": [], "complete": False,
    }

    def save(epoch, seconds, predict):
        record["epochs"].append({"epoch": epoch + 1, "seconds": seconds,
                                 **evaluate(predict, xv, yv, xt, yt),
                                 "load": os.getloadavg()[0]})
        record["complete"] = len(record["epochs"]) == row.epochs
        if record["complete"]:
            record["load_end"] = os.getloadavg()
            record["final"] = record["epochs"][-1]
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1) + "\n")
        tmp.replace(path)
        print(f"{row.name} {lib} seed {seed} epoch {epoch + 1}/{row.epochs}: "
              f"{seconds:.2f} s, val {record['epochs'][-1]['val_accuracy']}, "
              f"test {record['epochs'][-1]['test_accuracy']:.4f}", flush=True)

    y = targets(row, labels)
    if lib == "minnet":
        model = build_minnet(row, seed)
        callback = epoch_callback(minnet.callbacks.Callback, save,
                                  lambda m: lambda v: m.predict(v, batch_size=5000), row)
        model.fit(x, y, epochs=row.epochs, batch_size=row.batch_size, shuffle=True,
                  verbose=0, callbacks=[callback])
    elif lib == "keras":
        import keras

        model = build_keras(row, seed)

        def keras_predict(m):
            return lambda v: np.concatenate(
                [np.asarray(m(v[i:i + 5000], training=False)) for i in range(0, len(v), 5000)])

        callback = epoch_callback(keras.callbacks.Callback, save, keras_predict, row)
        # Keras 3.15 / TensorFlow 2.21 with a global seed (keras.utils.set_random_seed) feed
        # the arrays in the same order every epoch under fit(shuffle=True): its permutation
        # op restarts with the same seed each epoch. Shuffle with numpy before each epoch.
        order_rng = np.random.default_rng(seed)
        for epoch in range(row.epochs):
            order = order_rng.permutation(len(x))
            model.fit(x[order], y[order], initial_epoch=epoch, epochs=epoch + 1,
                      batch_size=row.batch_size, shuffle=False, verbose=0, callbacks=[callback])
    elif lib == NIELSEN_LOOP:
        assert row.loss == "mse" and row.hidden_activation == "sigmoid" and not row.schedule
        net = NielsenNetwork([784, row.hidden, 10], seed)
        examples = column_examples(x, labels)
        eta = row.learning_rate / 5  # back to Nielsen's eta: see the module docstring
        for epoch in range(row.epochs):
            start = time.perf_counter()
            net.epoch(examples, row.batch_size, eta)
            save(epoch, time.perf_counter() - start, net.predict)
    else:
        raise ValueError(f"unknown library {lib!r}")
    return record


# --------------------------------------------------------------------------- the plan


EXPENSIVE = ("n3-100-l2", "lecun-300", "simard-800")


def plan(seeds=SEEDS):
    """All runs in order. Seed 0 of every row, minnet then Keras; Nielsen's per-example
    formulation of chapter 1's first row; then, seed by seed, the cheaper rows (30 or 100
    hidden units, 30 epochs: where a spread decides whether a published figure is
    matched) in minnet then Keras, then the expensive ones. On a loaded machine the minnet
    runs are not cheap enough to run all their seeds first: this order gives every cell of
    the table a first seed in both libraries, then the per-example run, before the rest."""
    first, rest = seeds[0], seeds[1:]
    jobs = [(row, "minnet", first) for row in ROWS]
    jobs.append((ROWS_BY_NAME["n1-30"], NIELSEN_LOOP, 0))
    jobs += [(row, "keras", first) for row in ROWS if not row.minnet_only]
    for s in rest:
        for group in ([r for r in ROWS if r.name not in EXPENSIVE],
                      [r for r in ROWS if r.name in EXPENSIVE]):
            jobs += [(row, "minnet", s) for row in group]
            jobs += [(row, "keras", s) for row in group if not row.minnet_only]
    return jobs


# --------------------------------------------------------------------------- the table


def load_runs(runs=RUNS, complete_only=True):
    out = []
    for path in sorted(runs.glob("*.json")):
        data = json.loads(path.read_text())
        if data.get("complete") or not complete_only:
            out.append(data)
    return out


def _metric(epochs, metric, upto):
    return [e[f"{metric}_accuracy"] for e in epochs[:upto]]


def summarise(runs, rows=ROWS, same_order=False):
    """Per row and library: seeds, final and peak accuracy (mean, sd), median seconds per
    epoch, time to the published accuracy; the plain-data summary the table and the
    appendix both use."""
    summary = []
    for row in rows:
        for lib in (*LIBRARIES, NIELSEN_LOOP):
            group = sorted((r for r in runs if r["row"] == row.name and r["library"] == lib
                            and _same_config(r, row, same_order)), key=lambda r: r["seed"])
            if not group:
                continue
            upto = row.compare_epochs
            finals = [_metric(r["epochs"], row.metric, upto)[-1] for r in group]
            peaks = [max(_metric(r["epochs"], row.metric, upto)) for r in group]
            seconds = [statistics.median(e["seconds"] for e in r["epochs"]) for r in group]
            to_published = []
            for r in group:
                elapsed, reached = 0.0, None
                for e in r["epochs"]:
                    elapsed += e["seconds"]
                    if row.published and e[f"{row.metric}_accuracy"] >= row.published:
                        reached = {"epoch": e["epoch"], "seconds": elapsed}
                        break
                to_published.append(reached)
            entry = {
                "row": row.name, "library": lib, "seeds": [r["seed"] for r in group],
                "metric": row.metric, "epochs": row.epochs, "compare_epochs": upto,
                "final": finals, "peak": peaks,
                "final_mean": statistics.fmean(finals), "peak_mean": statistics.fmean(peaks),
                "final_sd": statistics.stdev(finals) if len(finals) > 1 else None,
                "peak_sd": statistics.stdev(peaks) if len(peaks) > 1 else None,
                "seconds_per_epoch": statistics.median(seconds),
                "to_published": to_published,
                "published": row.published,
                "last_epoch_mean": statistics.fmean(
                    r["epochs"][-1][f"{row.metric}_accuracy"] for r in group),
                "curves": [[e[f"{row.metric}_accuracy"] for e in r["epochs"]] for r in group],
                "seconds": [[e["seconds"] for e in r["epochs"]] for r in group],
                "final_predicted_counts": [r["epochs"][-1].get("test_predicted_counts")
                                           for r in group],
                "matmul_gflops": statistics.median(r["matmul_gflops"] for r in group),
                "load": statistics.fmean(e["load"] for r in group for e in r["epochs"]),
            }
            summary.append(entry)
    return summary


WIDE_SD = 0.02  # a spread of the peaks wider than 2 points decides nothing


def verdict(entry):
    """How the published figure sits against the seeds' peaks: within the spread when it lies
    within two sample standard deviations of their mean; a spread wider than ``WIDE_SD``
    (runs that failed beside runs that did not) is said to be too wide to decide."""
    published, peaks = entry["published"], entry["peak"]
    if published is None:
        return ""
    if len(peaks) < 2:
        return "one seed: no spread"
    sd, gap = entry["peak_sd"], entry["peak_mean"] - published
    if sd > WIDE_SD:
        return f"spread too wide to decide (sd {sd * 100:.2f} points)"
    if abs(gap) <= 2 * sd:
        return "within the spread"
    return f"{'above' if gap > 0 else 'below'} by {abs(gap) * 100:.2f} points"


def pct(v, sd=None):
    if v is None:
        return "-"
    return f"{v * 100:.2f}" + (f" ± {sd * 100:.2f}" if sd is not None else "")


def flops_per_epoch(row, n_train):
    """Multiply-adds x 2 of one epoch's matrix products: forward ``x W1``, ``a1 W2``;
    backward ``a1^T delta2``, ``delta2 W2^T``, ``x^T delta1``."""
    h = row.hidden
    return n_train * (2 * 784 * h * 2 + 2 * h * 10 * 3)


def write_table(runs=RUNS, table=TABLE, package_data=PACKAGE_DATA, rows=ROWS):
    complete = load_runs(runs)  # unfinished runs (``"complete": false``) are left out
    summary = summarise(complete, rows)
    by = {(e["row"], e["library"]): e for e in summary}
    dates = sorted(r["date"] for r in complete) or ["-"]
    some = complete[0] if complete else None
    versions_seen = {}
    for r in complete:
        for k, val in r["versions"].items():
            versions_seen.setdefault(k, set()).add(val)
    lines = [
        "# Reproducing the classics: results",
        "",
        "Generated by `python benchmarks/classics.py --table` from the run files in "
        "`benchmarks/classics/runs/` (written by `python benchmarks/classics.py --all`). "
        "Do not edit by hand.",
        "",
        f"- Runs: {len(complete)} complete (unfinished runs are left out), dated "
        f"{dates[0][:16]} to {dates[-1][:16]} UTC.",
    ]
    if some:
        lines += [
            f"- Machine: {some['machine']['cpu']}; {some['machine']['os']}; shared with other "
            "work (mean 1-minute load average during each cell's epochs in the last column).",
            "- Versions: " + ", ".join(f"{k} {' / '.join(sorted(val))}"
                                       for k, val in versions_seen.items()) + ".",
            "- Threads: numpy with OPENBLAS_NUM_THREADS=1; Keras with TensorFlow's intra- and "
            "inter-op pools of 1 thread and `steps_per_execution="
            f"{STEPS_PER_EXECUTION}` (that many steps per call of the compiled graph).",
            f"- float32 matrix-product ceiling of one thread (1024x1024 products, best of 5, "
            f"measured at the start of each run): median "
            f"{statistics.median(r['matmul_gflops'] for r in complete):.1f} GFLOP/s.",
        ]
    lines += [
        "- Seeds: 0, 1, 2 are the goal for every cell; the *seeds* column counts the runs that "
        "had finished when this table was written (the runs go seed 0 of every row first).",
        "- Accuracy: per run, *final* is the accuracy after the last epoch of the published "
        "schedule, *peak* the best epoch of it (Nielsen reports peaks); mean ± sample "
        "standard deviation over the seeds. The metric is the test set unless the row says "
        "validation. *Peak vs published*: within the spread when the published figure lies within "
        "two standard deviations of the mean peak; else the gap of the mean peak to it. "
        "Nielsen's rows train on the first 50 000 training images (his split); "
        "LeCun's and Simard's on all 60 000.",
        "- Seconds per epoch: the median over a run's epochs (training only, evaluation "
        "excluded), median over seeds; Keras's first epoch includes tracing its graph, the "
        "median leaves it out. The ratio Keras / minnet is of those medians, from runs on the "
        "same machine at different times, so it carries the load's noise. GFLOP/s: the "
        "epoch's matrix products (forward and backward) divided by those seconds.",
        f"- {EPOCHS_NOTE}",
        "",
        "| row | source | library | seeds | final % | peak % | published % | peak vs "
        "published | s / epoch | Keras / minnet | GFLOP/s | to published: epoch, s | load |",
        "|---|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|---:|",
    ]
    for row in rows:
        for lib in (*LIBRARIES, NIELSEN_LOOP):
            e = by.get((row.name, lib))
            if e is None:
                if lib in LIBRARIES and not (lib == "keras" and row.minnet_only):
                    lines.append(f"| {row.name} | {row.source} | {lib} | 0 | - | - "
                                 f"| {pct(row.published)} | not run yet | - | - | - | - | - |")
                continue
            ratio = "-"
            if lib != "minnet" and (row.name, "minnet") in by:
                ratio = f"{e['seconds_per_epoch'] / by[(row.name, 'minnet')]['seconds_per_epoch']:.2f}x"
            n_train = N_TRAIN_NIELSEN if row.split == "nielsen" else 60_000
            gflops = flops_per_epoch(row, n_train) / e["seconds_per_epoch"] / 1e9
            reached = [t for t in e["to_published"] if t]
            to_pub = (f"{len(reached)}/{len(e['seeds'])} seeds; median epoch "
                      f"{statistics.median(t['epoch'] for t in reached):g}, "
                      f"{statistics.median(t['seconds'] for t in reached):.0f} s"
                      if reached else f"0/{len(e['seeds'])} seeds")
            metric = " (validation)" if row.metric == "val" else ""
            lines.append(
                f"| {row.name}: {row.description}{metric} | {row.source} | {lib} "
                f"| {len(e['seeds'])} | {pct(e['final_mean'], e['final_sd'])} "
                f"| {pct(e['peak_mean'], e['peak_sd'])} | {pct(row.published)} "
                f"| {verdict(e)} | {e['seconds_per_epoch']:.2f} | {ratio} | {gflops:.1f} "
                f"| {to_pub} | {e['load']:.1f} |")
    lines += [
        "",
        "Pooled over both libraries (they compute the same steps: `tests/test_classics.py` "
        "checks one SGD step against Nielsen's per-example formulation), the peaks of each row:",
        "",
        "| row | runs (minnet + Keras) | peak % mean ± sd | best peak % | published % "
        "| peak vs published |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        peaks = [p for lib in LIBRARIES if (row.name, lib) in by for p in by[(row.name, lib)]["peak"]]
        if not peaks or row.published is None:
            continue
        sd = statistics.stdev(peaks) if len(peaks) > 1 else None
        pooled = {"published": row.published, "peak": peaks, "peak_sd": sd,
                  "peak_mean": statistics.fmean(peaks)}
        lines.append(f"| {row.name} | {len(peaks)} | {pct(pooled['peak_mean'], sd)} "
                     f"| {pct(max(peaks))} | {pct(row.published)} | {verdict(pooled)} |")
    same_dir = runs / SAME_ORDER.name
    same = summarise(load_runs(same_dir), rows, same_order=True) if same_dir.is_dir() else []
    if same:
        lines += [
            "",
            "Keras runs that saw the examples in the same order every epoch (kept in "
            f"`runs/{SAME_ORDER.name}/`): with a global seed set by "
            "`keras.utils.set_random_seed`, Keras 3.15 / TensorFlow 2.21 `fit(shuffle=True)` "
            "drew the same permutation of the arrays at every epoch. The runs above shuffle "
            "with numpy before each epoch instead, as Nielsen's code does.",
            "",
            "| row | seeds | final % | peak % | s / epoch |",
            "|---|---:|---:|---:|---:|",
        ]
        lines += [f"| {e['row']} | {len(e['seeds'])} | {pct(e['final_mean'], e['final_sd'])} "
                  f"| {pct(e['peak_mean'], e['peak_sd'])} | {e['seconds_per_epoch']:.2f} |"
                  for e in same if e["library"] == "keras"]
    notes = [f"- {r.name}: published figure is {r.published_note}." for r in rows
             if r.published_note]
    extra = [e for e in summary if e["epochs"] != e["compare_epochs"]]
    for e in extra:
        notes.append(f"- {e['row']} ({e['library']}): after all {e['epochs']} epochs, "
                     f"{pct(e['last_epoch_mean'])} % (mean of {len(e['seeds'])} seeds).")
    lines += ["", "Notes:", "", *notes, ""]
    table.parent.mkdir(parents=True, exist_ok=True)
    table.write_text("\n".join(lines) + "\n")
    data = {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "table": "benchmarks/classics/results.md",
        "rows": [{k: v for k, v in dataclasses.asdict(r).items()} for r in rows],
        "summary": summary,
        "machine": some["machine"] if some else None,
        "versions": {k: sorted(v) for k, v in versions_seen.items()},
        "steps_per_execution": STEPS_PER_EXECUTION,
        "keras_shuffle": KERAS_SHUFFLE,
        "keras_same_order": [e for e in same if e["library"] == "keras"],
    }
    if package_data is not None:
        package_data.parent.mkdir(parents=True, exist_ok=True)
        package_data.write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n")
    return data


# --------------------------------------------------------------------------- main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="every run not complete yet")
    parser.add_argument("--table", action="store_true", help="write the table and package data")
    parser.add_argument("--quick", action="store_true", help="a few-second smoke run")
    parser.add_argument("--run", nargs=3, metavar=("ROW", "LIBRARY", "SEED"), help="one run")
    parser.add_argument("--runs", type=Path, default=RUNS, help="folder of run files")
    parser.add_argument("--libraries", nargs="*", default=None, help="with --all: only these")
    args = parser.parse_args(argv)
    command = " ".join(["python benchmarks/classics.py", *(argv if argv is not None else sys.argv[1:])])
    if args.quick:
        for lib in ("minnet", "keras"):
            run(QUICK, lib, 0, runs=args.runs, command=command, n_train=2000)
        print(f"quick runs written to {args.runs}")
    if args.run:
        name, lib, seed = args.run
        row = QUICK if name == "quick" else ROWS_BY_NAME[name]
        run(row, lib, int(seed), runs=args.runs, command=command)
    if args.all:
        for row, lib, seed in plan():
            if args.libraries and lib not in args.libraries:
                continue
            if is_complete(run_path(row.name, lib, seed, args.runs), row):
                continue
            started = time.perf_counter()
            run(row, lib, seed, runs=args.runs, command=command)
            print(f"done {row.name} {lib} seed {seed} in {time.perf_counter() - started:.0f} s",
                  flush=True)
    if args.table:
        write_table(args.runs)
        print(f"wrote {TABLE} and {PACKAGE_DATA}")


if __name__ == "__main__":
    main()
