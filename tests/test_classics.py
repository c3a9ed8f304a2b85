"""The classic MNIST reproductions (benchmarks/classics.py, appendix book/classics.ipynb).

- Each conversion of Nielsen's conventions (quadratic cost, summed cross-entropy, his L2
  term with n = 50 000, his N(0, 1) initialization) gives, after one SGD step from the
  same weights, the same weights in his per-example formulation, in minnet and in Keras
  (float64 throughout; relative tolerance 1e-10 on the step).
- ``--quick`` runs and writes well-formed run files.
- The table generator, from fixture runs.
- The package data the appendix reads agrees with the committed run files and table.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minnet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import classics  # noqa: E402

STEP_RTOL = 1e-10


def _batch(n=10, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (n, 784)) * (rng.uniform(0, 1, (n, 784)) < 0.2)  # sparse, like MNIST
    labels = rng.integers(0, 10, n)
    return x, np.eye(10)[labels]


def _keras_step(row, weights, x, y):
    """One SGD step of the Keras model ``row`` describes, built with Keras's own classes
    (float64), from ``weights``."""
    import keras

    # floatx for what Keras makes on its own (learning rate, compiled loss), and dtype on
    # every layer: once any layer exists in the process, Keras has pinned its default
    # dtype policy, and set_floatx alone no longer changes the layers' dtype.
    floatx = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        model = keras.Sequential([
            keras.Input((784,), dtype="float64"),
            keras.layers.Dense(row.hidden, activation=row.hidden_activation, dtype="float64",
                               kernel_regularizer=keras.regularizers.L2(row.l2) if row.l2 else None),
            keras.layers.Dense(10, activation=row.output_activation, dtype="float64",
                               kernel_regularizer=keras.regularizers.L2(row.l2) if row.l2 else None),
        ])
        model.compile(optimizer=keras.optimizers.SGD(row.learning_rate), loss=row.loss)
        model.set_weights(weights)
        model.train_on_batch(x, y)
        return model.get_weights()
    finally:
        keras.config.set_floatx(floatx)


def _minnet_step(row, weights, x, y):
    model = minnet.Sequential([
        minnet.layers.Dense(row.hidden, activation=row.hidden_activation, input_dim=784,
                            kernel_regularizer=minnet.regularizers.L2(row.l2) if row.l2 else None),
        minnet.layers.Dense(10, activation=row.output_activation,
                            kernel_regularizer=minnet.regularizers.L2(row.l2) if row.l2 else None),
    ], seed=0, dtype="float64")
    model.compile(optimizer=minnet.optimizers.SGD(row.learning_rate), loss=row.loss)
    model.set_weights(weights)
    model.train_on_batch(x, y)
    return model.get_weights()


# (row, Nielsen's cost, his eta, his lambda, his n): the published settings.
CASES = [
    ("n1-30", "quadratic", 3.0, 0.0, classics.N_TRAIN_NIELSEN),
    ("n3-30-ce", "cross_entropy", 0.5, 0.0, classics.N_TRAIN_NIELSEN),
    ("n3-30-l2", "cross_entropy", 0.5, 5.0, classics.N_TRAIN_NIELSEN),
]


@pytest.mark.parametrize("name, cost, eta, lmbda, n_total", CASES)
def test_one_step_in_nielsens_formulation_minnet_and_keras_agree(name, cost, eta, lmbda, n_total):
    row = classics.ROWS_BY_NAME[name]
    net = classics.NielsenNetwork([784, row.hidden, 10], seed=3, cost=cost, lmbda=lmbda,
                                  n_total=n_total)
    before = net.get_weights()
    x, y = _batch()
    net.update_mini_batch([(xi.reshape(-1, 1), yi.reshape(-1, 1)) for xi, yi in zip(x, y)], eta)
    nielsen = net.get_weights()
    ours = _minnet_step(row, before, x, y)
    theirs = _keras_step(row, before, x, y)
    for w0, a, b, c in zip(before, nielsen, ours, theirs):
        step = a - w0
        scale = np.max(np.abs(step))
        assert scale > 0
        assert np.max(np.abs((b - w0) - step)) <= STEP_RTOL * scale
        assert np.max(np.abs((c - w0) - step)) <= STEP_RTOL * scale


def test_the_l2_conversion_is_visible_in_one_step():
    """With n = 100 the weight decay is large enough that a wrong L2 coefficient (say
    Chapter 8's lambda/2n, right for a loss that is not divided by 10) would fail."""
    row = dataclasses.replace(classics.ROWS_BY_NAME["n3-30-l2"], l2=5.0 / (2 * 100 * 10))
    net = classics.NielsenNetwork([784, 30, 10], seed=4, cost="cross_entropy", lmbda=5.0,
                                  n_total=100)
    before = net.get_weights()
    x, y = _batch(seed=2)
    net.update_mini_batch([(xi.reshape(-1, 1), yi.reshape(-1, 1)) for xi, yi in zip(x, y)], 0.5)
    ours = _minnet_step(row, before, x, y)
    wrong = _minnet_step(dataclasses.replace(row, l2=5.0 / (2 * 100)), before, x, y)
    step = net.get_weights()[0] - before[0]
    assert np.max(np.abs(ours[0] - net.get_weights()[0])) <= STEP_RTOL * np.max(np.abs(step))
    assert np.max(np.abs(wrong[0] - net.get_weights()[0])) > 1e-3 * np.max(np.abs(step))


def test_initializers_draw_nielsens_distributions():
    row = classics.ROWS_BY_NAME["n3-30-l2-scaled"]
    model = classics.build_minnet(dataclasses.replace(row, hidden=400), seed=0)
    W1, b1, W2, _ = model.get_weights()
    assert abs(W1.std() - 1 / np.sqrt(784)) < 0.02 / np.sqrt(784)
    assert abs(W2.std() - 1 / np.sqrt(400)) < 0.1 / np.sqrt(400)
    assert abs(b1.std() - 1) < 0.15
    large = classics.build_minnet(dataclasses.replace(classics.ROWS_BY_NAME["n1-30"], hidden=400), 0)
    assert abs(large.get_weights()[0].std() - 1) < 0.02


def test_quick_runs_write_well_formed_run_files(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "classics.py"), "--quick",
                    "--runs", str(tmp_path)], check=True, env=env, capture_output=True, timeout=300)
    files = sorted(p.name for p in tmp_path.glob("*.json"))
    assert files == ["quick--keras--seed0.json", "quick--minnet--seed0.json"]
    for path in tmp_path.glob("*.json"):
        run = json.loads(path.read_text())
        assert run["complete"] is True
        assert run["config"]["name"] == "quick" and run["seed"] == 0
        assert len(run["epochs"]) == run["config"]["epochs"] == 2
        for epoch in run["epochs"]:
            assert epoch["seconds"] > 0
            assert 0 <= epoch["test_accuracy"] <= 1 and 0 <= epoch["val_accuracy"] <= 1
        assert run["final"] == run["epochs"][-1]
        assert {"numpy", "minnet", "python"} <= set(run["versions"])
        assert run["machine"]["cpu"] and run["date"] and len(run["load_start"]) == 3
        assert run["matmul_gflops"] > 0
        assert run["threads"]["OPENBLAS_NUM_THREADS"] == "1"
    keras_run = json.loads((tmp_path / "quick--keras--seed0.json").read_text())
    assert "tensorflow" in keras_run["versions"]
    assert keras_run["threads"]["keras_steps_per_execution"] == classics.STEPS_PER_EXECUTION


def _fixture_run(runs, row, lib, seed, curve, seconds=1.0, complete=True):
    epochs = [{"epoch": i + 1, "seconds": seconds * (3 if i == 0 and lib == "keras" else 1),
               "val_accuracy": a - 0.001, "test_accuracy": a, "load": 1.0}
              for i, a in enumerate(curve)]
    record = {"row": row.name, "library": lib, "seed": seed, "config": dataclasses.asdict(row),
              "date": f"2026-12-0{seed + 1}T00:00:00+00:00", "machine": {"cpu": "test", "os": "test"},
              "versions": {"numpy": "x"}, "matmul_gflops": 50.0, "load_start": [1, 1, 1],
              "epochs": epochs, "complete": complete,
              "keras_shuffle": classics.KERAS_SHUFFLE if lib == "keras" else None}
    runs.mkdir(exist_ok=True)
    classics.run_path(row.name, lib, seed, runs).write_text(json.dumps(record))


def test_the_table_from_fixture_runs(tmp_path):
    row = dataclasses.replace(classics.ROWS_BY_NAME["n1-30"], epochs=3, published=0.95)
    other = dataclasses.replace(classics.ROWS_BY_NAME["n3-30-ce"], epochs=2, published=0.99)
    runs = tmp_path / "runs"
    for seed, top in enumerate([0.96, 0.95, 0.94]):
        _fixture_run(runs, row, "minnet", seed, [0.90, top, top - 0.01])
    _fixture_run(runs, row, "keras", 0, [0.90, 0.955, 0.95], seconds=2.0)
    _fixture_run(runs, row, "keras", 1, [0.5], complete=False)  # unfinished: left out
    _fixture_run(runs, other, "minnet", 0, [0.90, 0.97])
    _fixture_run(runs, other, "minnet", 1, [0.90, 0.96])
    table, data = tmp_path / "results.md", tmp_path / "classics.json"
    classics.write_table(runs, table, data, rows=[row, other])
    text = table.read_text()
    assert "6 complete (unfinished runs are left out)" in text
    lines = {tuple(c.strip() for c in line.split("|")[1:4]): line for line in text.splitlines()
             if line.startswith(f"| {row.name}") or line.startswith(f"| {other.name}")}
    minnet_line = next(v for k, v in lines.items() if k[0].startswith(row.name) and k[2] == "minnet")
    cells = [c.strip() for c in minnet_line.split("|")[1:-1]]
    assert cells[3] == "3"  # seeds
    assert cells[4] == "94.00 ± 1.00"  # final: 0.95, 0.94, 0.93
    assert cells[5] == "95.00 ± 1.00"  # peak: 0.96, 0.95, 0.94
    assert cells[6] == "95.00" and cells[7] == "within the spread"
    keras_line = next(v for k, v in lines.items() if k[0].startswith(row.name) and k[2] == "keras")
    cells = [c.strip() for c in keras_line.split("|")[1:-1]]
    assert cells[3] == "1" and cells[7] == "one seed: no spread"
    assert cells[8] == "2.00" and cells[9] == "2.00x"  # median seconds, Keras / minnet
    other_line = next(v for k, v in lines.items() if k[0].startswith(other.name) and k[2] == "minnet")
    assert "below by 2.50 points" in other_line
    summary = json.loads(data.read_text())["summary"]
    entry = next(e for e in summary if e["row"] == row.name and e["library"] == "minnet")
    assert entry["seeds"] == [0, 1, 2] and entry["curves"][0] == [0.90, 0.96, 0.95]
    assert entry["to_published"][0] == {"epoch": 2, "seconds": 2.0}


def test_package_data_agrees_with_the_committed_runs_and_table(tmp_path):
    """What the appendix reads (minnet.results) is what --table makes of the committed runs."""
    from minnet.results import load_classics

    shipped = load_classics()
    table, data = tmp_path / "results.md", tmp_path / "classics.json"
    classics.write_table(classics.RUNS, table, data)
    assert table.read_text() == classics.TABLE.read_text(), (
        "benchmarks/classics/results.md is stale: run python benchmarks/classics.py --table")
    assert json.loads(data.read_text())["summary"] == shipped["summary"], (
        "src/minnet/results/classics.json is stale: run python benchmarks/classics.py --table")
    assert {r["name"] for r in shipped["rows"]} == set(classics.ROWS_BY_NAME)


def test_verdict_criterion():
    # within the spread: the published figure within two sd of the mean peak; a wide spread
    # (failed runs beside good ones) decides nothing
    entry = {"published": 0.9542, "peak": [0.9511, 0.9520, 0.9502], "peak_mean": 0.9511, "peak_sd": 0.0009}
    assert classics.verdict(entry) == "below by 0.31 points"
    entry.update(peak=[0.76, 0.96, 0.78], peak_mean=0.8333, peak_sd=0.11)
    assert classics.verdict(entry).startswith("spread too wide to decide")
    entry.update(peak=[0.954, 0.953], peak_mean=0.9535, peak_sd=0.001)
    assert classics.verdict(entry) == "within the spread"
