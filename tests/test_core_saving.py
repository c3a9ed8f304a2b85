"""Whole models saved and loaded (minnet.saving), ModelCheckpoint, CSVLogger, initial_epoch.

The promises: predictions of a loaded model are bit-identical; training continued after
``load_model`` with ``initial_epoch`` equals uninterrupted training bit for bit (seed,
shuffling and dropout on); a damaged or foreign file raises ``ModelFileError`` and nothing
is half-loaded.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import numpy as np
import pytest

import minnet
from minnet.errors import ModelFileError, WeightsError
from minnet.models import load_model


def data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] ** 2 > 0.5).astype(int) + (x[:, 2] > 1)
    return x, y


def network(seed=7, optimizer=None, dtype="float32"):
    """Dropout drawing from the model's generator, and one with a generator of its own."""
    model = minnet.Sequential([
        minnet.Input(shape=(5,)),
        minnet.Dense(16, "relu", kernel_regularizer=minnet.regularizers.L2(1e-3)),
        minnet.Dropout(0.3),
        minnet.Dense(8, minnet.activations.LeakyReLU(0.1),
                     kernel_initializer=minnet.initializers.RandomNormal(stddev=0.2)),
        minnet.Dropout(0.2, seed=3),
        minnet.Dense(3, "softmax"),
    ], seed=seed, dtype=dtype)
    model.compile(optimizer or minnet.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


FIT = dict(batch_size=16, shuffle=True, verbose=0)


def assert_same_weights(a, b):
    for i, (p, q) in enumerate(zip(a.get_weights(), b.get_weights(), strict=True)):
        assert p.dtype == q.dtype and np.array_equal(p, q), f"weight {i} differs"


@pytest.mark.parametrize("optimizer", [
    lambda: minnet.optimizers.Adam(0.01),
    lambda: minnet.optimizers.SGD(0.05, momentum=0.9, nesterov=True, clipnorm=1.0),
    lambda: minnet.optimizers.RMSprop(0.005),
])
def test_resumed_training_equals_uninterrupted_training_bit_for_bit(tmp_path, optimizer):
    x, y = data()
    whole = network(optimizer=optimizer())
    history = whole.fit(x, y, epochs=4, validation_split=0.2, **FIT).history

    first = network(optimizer=optimizer())
    early = first.fit(x, y, epochs=2, validation_split=0.2, **FIT).history
    first.save(tmp_path / "run.minnet")
    resumed = load_model(tmp_path / "run.minnet")
    late = resumed.fit(x, y, epochs=4, initial_epoch=2, validation_split=0.2, **FIT)

    assert late.epoch == [2, 3]
    for key in history:
        assert early[key] + late.history[key] == history[key], key  # exact equality
    assert_same_weights(resumed, whole)
    assert resumed.optimizer.iterations == whole.optimizer.iterations


def test_loaded_model_predicts_bit_identically_and_keeps_its_config(tmp_path):
    x, y = data()
    model = network(dtype="float64")
    model.fit(x, y, epochs=1, **FIT)
    model.save(tmp_path / "m.minnet")
    loaded = load_model(tmp_path / "m.minnet")
    assert np.array_equal(model.predict(x), loaded.predict(x))
    assert loaded.get_config() == model.get_config()
    assert loaded.dtype == np.float64 and loaded.metric_names == ["accuracy"]
    assert type(loaded.optimizer) is minnet.optimizers.Adam
    assert loaded.evaluate(x, y) == model.evaluate(x, y)
    # an uncompiled model saves and loads too; compile=False skips the optimizer
    plain = minnet.Sequential([minnet.Dense(2, input_dim=3)], seed=1)
    plain.save(tmp_path / "plain.minnet")
    assert load_model(tmp_path / "plain.minnet").loss is None
    assert load_model(tmp_path / "m.minnet", compile=False).loss is None


def test_the_file_is_json_and_npz_never_pickle(tmp_path):
    model = network()
    model.fit(*data(), epochs=1, **FIT)
    model.save(tmp_path / "m.minnet")
    with zipfile.ZipFile(tmp_path / "m.minnet") as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "optimizer.npz",
                                             "weights.npz"]
        metadata = json.loads(archive.read("metadata.json"))
        config = json.loads(archive.read("config.json"))
        for name in ("weights.npz", "optimizer.npz"):
            with np.load(io.BytesIO(archive.read(name)), allow_pickle=False) as arrays:
                assert all(arrays[k].dtype != object for k in arrays.files)
    assert metadata["format"] == "minnet.model" and metadata["format_version"] == 1
    assert config["compile"]["optimizer"]["class_name"] == "Adam"
    assert [layer["class_name"] for layer in config["model"]["layers"]] == [
        "Dense", "Dropout", "Dense", "Dropout", "Dense"]


def _rewrite(path, target, change):
    """Copy the archive at ``path`` to ``target`` with ``change(members)`` applied."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return target


def _config_edit(edit):
    def change(members):
        config = json.loads(members["config.json"])
        edit(config)
        members["config.json"] = json.dumps(config).encode()
    return change


def _swap_weights(members):
    with np.load(io.BytesIO(members["weights.npz"])) as arrays:
        weights = {k: arrays[k] for k in arrays.files}
    weights["weight_0"] = weights["weight_0"].T  # (5, 16) becomes (16, 5)
    buffer = io.BytesIO()
    np.savez(buffer, **weights)
    members["weights.npz"] = buffer.getvalue()


BAD_FILES = {
    "truncated": (lambda raw: raw[: len(raw) // 2], ["not a minnet model file"]),
    "bytes flipped": (lambda raw: raw[:200] + bytes(b ^ 0xFF for b in raw[200:260]) + raw[260:],
                      None),
    "empty": (lambda raw: b"", ["not a zip archive"]),
}
BAD_ARCHIVES = {
    "foreign zip": (lambda m: [m.clear(), m.update({"data.txt": b"x"})], ["lacks"]),
    "a Keras file": (lambda m: [m.clear(), m.update({"config.json": b"{}", "model.weights.h5": b"",
                                                     "metadata.json": b"{}"})], ["Keras"]),
    "another format": (lambda m: m.update({"metadata.json": b'{"format": "other"}'}),
                       ["not a minnet model file", "'other'"]),
    "missing weights": (lambda m: m.pop("weights.npz"), ["lacks weights.npz"]),
    "bad JSON": (lambda m: m.update({"config.json": b"{not json"}), ["not valid JSON"]),
    "newer format": (lambda m: m.update({"metadata.json": json.dumps(
        {"format": "minnet.model", "format_version": 99}).encode()}), ["version 99"]),
    "missing key": (_config_edit(lambda c: c.pop("random_state")), ["'random_state'"]),
    "unknown layer": (_config_edit(lambda c: c["model"]["layers"][0].update(class_name="Conv2D")),
                      ["Conv2D"]),
    "unknown optimizer": (_config_edit(lambda c: c["compile"]["optimizer"].update(
        class_name="Lion")), ["Lion"]),
    "code instead of a name": (_config_edit(lambda c: c["compile"]["loss"].update(
        module="os")), ["'os'"]),
    "weight of the wrong shape": (_swap_weights, ["weight_0", "(16, 5)", "(5, 16)"]),
    "optimizer state missing": (lambda m: m.update({"optimizer.npz": m["weights.npz"]}),
                                ["optimizer state"]),
}


@pytest.mark.parametrize("name", list(BAD_FILES) + list(BAD_ARCHIVES))
def test_a_damaged_or_foreign_file_gets_a_clear_error(tmp_path, name):
    model = network()
    model.fit(*data(), epochs=1, **FIT)
    good = tmp_path / "good.minnet"
    model.save(good)
    bad = tmp_path / "bad.minnet"
    if name in BAD_FILES:
        damage, words = BAD_FILES[name]
        bad.write_bytes(damage(good.read_bytes()))
    else:
        damage, words = BAD_ARCHIVES[name]
        _rewrite(good, bad, damage)
    with pytest.raises(ModelFileError) as info:
        load_model(bad)
    for word in words or []:
        assert word in str(info.value), str(info.value)


def test_a_keras_file_is_recognized_as_one(tmp_path):
    path = tmp_path / "keras.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", "{}")
        archive.writestr("model.weights.h5", "")
    with pytest.raises(ModelFileError, match="Keras model file.*from_keras"):
        load_model(path)


def test_a_keras_h5_file_is_recognized_as_one(tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))
    with pytest.raises(ModelFileError, match="HDF5.*from_keras"):
        load_model(path)


def test_nothing_is_half_loaded_into_an_existing_model(tmp_path):
    model = minnet.Sequential([minnet.Dense(4, input_dim=3), minnet.Dense(2)], seed=0)
    before = model.get_weights()
    wrong = [w.copy() + 1 for w in before]
    wrong[3] = np.zeros(5)  # the last array does not fit
    with pytest.raises(WeightsError):
        model.set_weights(wrong)
    assert_same_weights(model, model)  # unchanged:
    for p, q in zip(model.get_weights(), before, strict=True):
        assert np.array_equal(p, q)
    with pytest.raises(WeightsError):
        model.layers[0].set_weights([np.ones((3, 4)), np.ones(5)])
    assert np.array_equal(model.layers[0].get_weights()[0], before[0])


def test_an_interrupted_save_leaves_the_old_file(tmp_path, monkeypatch):
    model = network()
    path = tmp_path / "m.minnet"
    model.save(path)
    good = path.read_bytes()
    monkeypatch.setattr(np, "savez", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        model.save(path)
    assert path.read_bytes() == good and list(tmp_path.iterdir()) == [path]
    with pytest.raises(FileExistsError):
        minnet.Sequential.save(model, path, overwrite=False)


def test_a_function_metric_cannot_be_saved(tmp_path):
    model = minnet.Sequential([minnet.Dense(1, input_dim=2)])
    model.compile("sgd", "mse", metrics=[lambda y, p: np.abs(y - p)[:, 0]])
    with pytest.raises(ModelFileError, match="metric names"):
        model.save(tmp_path / "m.minnet")


# ----------------------------------------------------------------- callbacks


def test_model_checkpoint_saves_the_best_model_and_resumes(tmp_path):
    x, y = data()
    model = network()
    best = minnet.callbacks.ModelCheckpoint(tmp_path / "best.minnet", monitor="val_loss",
                                            save_best_only=True)
    every = minnet.callbacks.ModelCheckpoint(str(tmp_path / "w-{epoch:02d}.weights.npz"),
                                             save_weights_only=True)
    history = model.fit(x, y, epochs=5, validation_split=0.25, callbacks=[best, every], **FIT)
    losses = history.history["val_loss"]
    assert best.best == min(losses)
    assert sorted(p.name for p in tmp_path.glob("w-*")) == [f"w-0{i}.weights.npz" for i in range(1, 6)]
    restored = network()
    restored.load_weights(tmp_path / "w-05.weights.npz")
    assert_same_weights(restored, model)
    loaded = load_model(tmp_path / "best.minnet")
    assert loaded.evaluate(x[90:], y[90:]) [0] == pytest.approx(min(losses), rel=1e-6)
    with pytest.raises(minnet.errors.ConfigError, match="val_loss"):
        model.fit(x, y, epochs=1, callbacks=[minnet.callbacks.ModelCheckpoint(
            tmp_path / "x.minnet", save_best_only=True)], **FIT)


def test_csv_logger_writes_every_epoch_and_appends_on_resume(tmp_path):
    x, y = data()
    path = tmp_path / "log.csv"
    model = network()
    model.fit(x, y, epochs=2, validation_split=0.25, callbacks=[minnet.callbacks.CSVLogger(path)],
              **FIT)
    model.fit(x, y, epochs=4, initial_epoch=2, validation_split=0.25,
              callbacks=[minnet.callbacks.CSVLogger(path, append=True)], **FIT)
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [row[0] for row in rows[1:]] == ["0", "1", "2", "3"]
    assert float(rows[-1][2]) == model.history.history["loss"][-1]


def test_initial_epoch_must_lie_before_epochs():
    model = network()
    with pytest.raises(minnet.errors.ConfigError, match="initial_epoch"):
        model.fit(*data(), epochs=2, initial_epoch=2, verbose=0)


def test_any_flipped_byte_or_truncation_is_an_error_or_harmless(tmp_path):
    """Every 13th byte flipped, and the file cut there: either ModelFileError, or (a byte
    of zip bookkeeping such as a timestamp) a model that predicts exactly as the original.
    The zip's CRC-32 of every member catches a change in the data."""
    x, y = data()
    model = network()
    model.fit(x, y, epochs=1, **FIT)
    good = tmp_path / "good.minnet"
    model.save(good)
    raw, bad, expected = good.read_bytes(), tmp_path / "bad.minnet", model.predict(x)
    for position in range(0, len(raw), 13):
        for damaged in (raw[:position] + bytes([raw[position] ^ 0x5A]) + raw[position + 1:],
                        raw[:position]):
            bad.write_bytes(damaged)
            try:
                loaded = load_model(bad)
            except ModelFileError:
                continue
            assert np.array_equal(loaded.predict(x), expected), position
