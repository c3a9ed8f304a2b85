"""Whole models in one file: ``model.save(path)`` and ``load_model(path)``.

The file is a zip archive holding plain data, never code and never a pickle:

``metadata.json``
    ``{"format": "minnet.model", "format_version": 1, "minnet_version": ...}``.
``config.json``
    ``"model"``: the architecture (:meth:`~minnet.model.Sequential.get_config`);
    ``"compile"``: the optimizer and the loss as ``{"module", "class_name", "config"}``
    (:mod:`minnet.serialization`, learning rate included) and the metric names, or ``null``
    for a model never compiled; ``"optimizer_iterations"``: the optimizer's step count;
    ``"random_state"``: the state of the model's random generator (shuffling, dropout) and
    of any layer with a generator of its own (a ``Dropout`` given a ``seed``).
``weights.npz``
    ``weight_0, weight_1, ...``: the arrays of ``get_weights()``, ``[W1, b1, W2, b2, ...]``.
``optimizer.npz``
    ``slot_<i>_<j>``: the ``j``-th state array (momentum, Adam's ``m`` and ``v``, ...) of
    weight ``i``; present once the optimizer has taken a step.

With the weights, the optimizer state and the random state restored, training continued
with ``fit(..., initial_epoch=k)`` after ``load_model`` gives bit for bit what
uninterrupted training gives.

:func:`load_model` reads and checks everything (the archive, both JSON files, every array's
name, shape and dtype against the architecture) before it returns, and builds a new model:
a damaged, truncated or foreign file raises :class:`~minnet.errors.ModelFileError` and
leaves nothing half-loaded.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
import zlib

import numpy as np

from .arguments import checked
from .checks import require_built
from .errors import MinnetError, ModelFileError
from .serialization import deserialize, serialize

__all__ = ["FORMAT", "FORMAT_VERSION", "save_model", "load_model", "save_weights", "load_weights"]

#: The format name written into every saved model's ``metadata.json``.
FORMAT = "minnet.model"
#: The version of that format; :func:`load_model` refuses files of a newer version.
FORMAT_VERSION = 1
_MEMBERS = ("metadata.json", "config.json", "weights.npz")


def _random_states(model):
    layers = {str(i): layer.rng.bit_generator.state for i, layer in enumerate(model.layers)
              if getattr(layer, "rng", None) is not None and layer.rng is not model.rng}
    return {"model": model.rng.bit_generator.state, "layers": layers}


def _npz_bytes(arrays: dict) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@checked(where="save_model")
def save_model(model, filepath, overwrite=True):
    """Write ``model`` to ``filepath`` (see the module docstring for the format).

    The file is written next to its destination and then moved into place, so an
    interrupted save never leaves a damaged file where a good one was.
    """
    from . import __version__

    require_built(model)
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists; pass overwrite=True to replace it.")
    compiled = None
    if model.loss is not None:
        for name in [*model.metric_names, *model.weighted_metric_names]:
            if not isinstance(name, str):
                raise ModelFileError(
                    f"The metric {name!r} is a function, which a model file cannot hold; "
                    "compile with metric names such as 'accuracy' or 'mae' to save the model."
                )
        compiled = {"optimizer": serialize(model.optimizer), "loss": serialize(model.loss),
                    "metrics": model.metric_names,
                    "weighted_metrics": model.weighted_metric_names}
    optimizer = model.optimizer if model.loss is not None else None
    config = {
        "model": model.get_config(),
        "compile": compiled,
        "optimizer_iterations": 0 if optimizer is None else int(optimizer.iterations),
        "random_state": _random_states(model),
    }
    metadata = {"format": FORMAT, "format_version": FORMAT_VERSION, "minnet_version": __version__}
    members = {
        "metadata.json": json.dumps(metadata, indent=1).encode(),
        "config.json": json.dumps(config, indent=1).encode(),
        "weights.npz": _npz_bytes({f"weight_{i}": w for i, w in enumerate(model.get_weights())}),
    }
    if optimizer is not None and optimizer.slots is not None:
        members["optimizer.npz"] = _npz_bytes({
            f"slot_{i}_{j}": slot for i, slots in enumerate(optimizer.slots)
            for j, slot in enumerate(slots)})
    directory = os.path.dirname(os.path.abspath(filepath))
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as file, zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)
        os.replace(temporary, filepath)
    except BaseException:
        os.unlink(temporary)
        raise


# ---------------------------------------------------------------------------- loading


def _read_archive(filepath):
    """Every member of the archive, as bytes, after checking it is a minnet model file."""
    if not os.path.isfile(filepath):
        raise ModelFileError(f"There is no file {filepath!r} to load a model from.")
    with open(filepath, "rb") as file:
        if file.read(8) == b"\x89HDF\r\n\x1a\n":
            raise ModelFileError(
                f"{filepath!r} is an HDF5 file (Keras's .h5 format), not a minnet model file. "
                "Load it with keras.models.load_model, then minnet.keras.from_keras(keras_model) "
                "gives its minnet twin."
            )
    if not zipfile.is_zipfile(filepath):
        raise ModelFileError(
            f"{filepath!r} is not a minnet model file: it is not a zip archive (a damaged or "
            "truncated file, or another format). model.save(path) writes one; a weights-only "
            "file from save_weights loads with model.load_weights(path)."
        )
    try:
        with zipfile.ZipFile(filepath) as archive:
            names = set(archive.namelist())
            if "model.weights.h5" in names and "weights.npz" not in names:
                raise ModelFileError(
                    f"{filepath!r} is a Keras model file, not a minnet one. Load it with "
                    "keras.models.load_model, then minnet.keras.from_keras(keras_model) gives "
                    "its minnet twin."
                )
            missing = [name for name in _MEMBERS if name not in names]
            if missing:
                raise ModelFileError(
                    f"{filepath!r} is not a complete minnet model file: it lacks "
                    f"{', '.join(missing)} (it holds {sorted(names)})."
                )
            return {name: archive.read(name) for name in names}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError,
            NotImplementedError, ValueError) as error:  # what zipfile raises on bad bytes
        raise ModelFileError(f"{filepath!r} is damaged: {error}.") from None


def _json(members, name, filepath):
    try:
        value = json.loads(members[name].decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{name} in {filepath!r} is not valid JSON: {error}.") from None
    if not isinstance(value, dict):
        raise ModelFileError(f"{name} in {filepath!r} holds {type(value).__name__}, not an object.")
    return value


def _arrays(members, name, filepath):
    try:
        with np.load(io.BytesIO(members[name]), allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except Exception as error:  # noqa: BLE001 (any failure to parse means a damaged file)
        raise ModelFileError(f"{name} in {filepath!r} cannot be read: {error}.") from None


def _check_arrays(arrays, expected, what, filepath):
    """``arrays`` (name -> array) must be exactly ``expected`` (name -> array like it)."""
    if set(arrays) != set(expected):
        raise ModelFileError(
            f"The {what} in {filepath!r} do not fit its architecture: the file has "
            f"{sorted(arrays)}, the model needs {sorted(expected)}."
        )
    for key, like in expected.items():
        array = arrays[key]
        if array.shape != like.shape or array.dtype != like.dtype:
            raise ModelFileError(
                f"{key} in the {what} of {filepath!r} has shape {array.shape} and dtype "
                f"{array.dtype}; the architecture needs {like.shape} and {like.dtype}."
            )


def _read_config(members, filepath):
    """The checked ``config.json`` of a model file whose ``metadata.json`` names this
    format at a version this minnet reads."""
    metadata = _json(members, "metadata.json", filepath)
    if metadata.get("format") != FORMAT:
        raise ModelFileError(
            f"{filepath!r} is a zip archive but not a minnet model file (its metadata.json "
            f"says format {metadata.get('format')!r}, expected {FORMAT!r})."
        )
    version = metadata.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"{filepath!r} has format version {version!r}; this minnet reads versions up to "
            f"{FORMAT_VERSION}. Upgrade minnet to load it."
        )
    config = _json(members, "config.json", filepath)
    for key in ("model", "compile", "optimizer_iterations", "random_state"):
        if key not in config:
            raise ModelFileError(f"config.json in {filepath!r} lacks the key {key!r}.")
    return config


def _rebuild(config, compile, filepath):  # noqa: A002 (Keras's argument name)
    """The model described by ``config``: built, compiled if asked, random generators
    restored; its weights are not set yet."""
    from .model import Sequential

    try:
        model = Sequential.from_config(config["model"])
        require_built(model)
        if compile and config["compile"] is not None:
            settings = config["compile"]
            model.compile(optimizer=deserialize(settings["optimizer"]),
                          loss=deserialize(settings["loss"]), metrics=settings["metrics"],
                          weighted_metrics=settings.get("weighted_metrics"))
        random_state = config["random_state"]
        model.rng.bit_generator.state = random_state["model"]
        for index, state in random_state["layers"].items():
            model.layers[int(index)].rng.bit_generator.state = state
    except ModelFileError:
        raise
    except (MinnetError, TypeError, ValueError, KeyError, IndexError, AttributeError) as error:
        raise ModelFileError(
            f"The architecture in {filepath!r} cannot be rebuilt: {type(error).__name__}: "
            f"{error}"
        ) from None
    return model


def _optimizer_slots(model, members, filepath):
    """The optimizer's stored state, checked against the slots ``model``'s optimizer
    makes for its weights; ``None`` when there is no optimizer or no stored state."""
    if model.optimizer is None or "optimizer.npz" not in members:
        return None
    stored = _arrays(members, "optimizer.npz", filepath)
    fresh = [model.optimizer.create_slots(p) for p in model.params]
    _check_arrays(stored, {f"slot_{i}_{j}": s for i, group in enumerate(fresh)
                           for j, s in enumerate(group)}, "optimizer state", filepath)
    return [tuple(stored[f"slot_{i}_{j}"] for j in range(len(group)))
            for i, group in enumerate(fresh)]


@checked(where="load_model")
def load_model(filepath, compile=True):  # noqa: A002 (Keras's argument name)
    """The model saved in ``filepath`` by :meth:`~minnet.model.Sequential.save`: same
    architecture and weights (bit-identical predictions), and with ``compile=True`` the
    same loss, metrics and optimizer state, so that training resumes exactly where it
    stopped. Anything wrong with the file raises :class:`~minnet.errors.ModelFileError`
    before a model is returned."""
    filepath = os.fspath(filepath)
    members = _read_archive(filepath)
    config = _read_config(members, filepath)
    model = _rebuild(config, compile, filepath)
    params = model.params
    weights = _arrays(members, "weights.npz", filepath)
    _check_arrays(weights, {f"weight_{i}": p for i, p in enumerate(params)}, "weights", filepath)
    slots = _optimizer_slots(model, members, filepath)
    # Everything is checked: only now is the new model given its weights and state.
    model.set_weights([weights[f"weight_{i}"] for i in range(len(params))])
    if model.optimizer is not None and compile and config["compile"] is not None:
        model.optimizer.iterations = int(config["optimizer_iterations"])
        model.optimizer.slots = slots
    return model


@checked(where="save_weights")
def save_weights(model, path):
    """Save ``model``'s weights to an ``.npz`` file (plain arrays, no pickle)."""
    require_built(model)
    np.savez(path, *model.get_weights())


@checked(where="load_weights")
def load_weights(model, path):
    """Load into ``model`` the weights :func:`save_weights` wrote (``.npz`` may be left off)."""
    path = os.fspath(path)
    if not os.path.exists(path) and os.path.exists(path + ".npz"):
        path += ".npz"
    with np.load(path, allow_pickle=False) as data:
        model.set_weights([data[f"arr_{i}"] for i in range(len(data.files))])
