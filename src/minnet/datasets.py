"""Data sets for the book: MNIST and Fashion-MNIST, and small toy sets made on the spot.

The toy generators :func:`make_moons`, :func:`make_spirals`, :func:`make_xor` and
:func:`make_linear` draw seeded, Keras-shaped data (``x`` float32 of shape ``(n, d)``, ``y``
in the form its loss expects) for the chapters that train networks; each docstring says
what it draws. The two image sets are read from their original IDX files.

Both loaders return Keras-shaped ``uint8`` arrays, exactly as
``keras.datasets.mnist.load_data()`` does::

    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train.shape, y_train.shape   # (60000, 28, 28), (60000,)

Where the files come from, in this order:

1. a local data directory: the ``data_dir`` argument, else the environment variable
   ``MINNET_DATA_DIR``. It holds ``mnist/`` and ``fashion-mnist/``, each with the four
   ``*-ubyte.gz`` files (or the same files uncompressed);
2. the download cache: ``cache_dir``, else ``MINNET_CACHE_DIR``, else the user cache
   folder that ``pooch.os_cache()`` picks (``~/.cache/minnet`` on Linux);
3. a download into that cache with ``pooch`` from the public mirror (or from
   ``base_url`` / ``MINNET_DATA_URL``, a folder of your own with the same file names).

Every file is verified before it is used, wherever it came from: the SHA-256 of its
uncompressed bytes must match the published one (the data's identity, whatever gzip
did to it). Downloads from the public mirrors are also checked by pooch against the
SHA-256 of the published ``.gz`` file before they enter the cache. A file that fails
is refused, and a refused file in the cache is deleted so the next call fetches it again.
When no source works (offline, no local copy, empty cache) the loaders raise
:class:`minnet.errors.DataUnavailableError`, which says how to get the files.

The IDX format is parsed with ``numpy.frombuffer``; nothing is unpickled.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from minnet.errors import ConfigError, DataUnavailableError

__all__ = ["load_mnist", "load_fashion_mnist", "DATASETS", "mnist", "fashion_mnist",
           "make_moons", "make_spirals", "make_xor", "make_linear"]

_FILE_NAMES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


@dataclass(frozen=True)
class _Dataset:
    """Where one data set lives and how to recognise its files."""

    name: str  # also the sub-folder of the data directory and of the cache
    url: str  # public mirror holding the four .gz files
    gz_sha256: dict  # file name -> SHA-256 of the published .gz file
    raw_sha256: dict  # file name -> SHA-256 of the uncompressed IDX file
    homepage: str


#: Where each data set's IDX files come from, with their URLs and SHA-256 checksums, by name
#: (``"mnist"``, ``"fashion-mnist"``).
DATASETS = {
    "mnist": _Dataset(
        name="mnist",
        url="https://storage.googleapis.com/cvdf-datasets/mnist/",
        gz_sha256={
            "train-images-idx3-ubyte": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "train-labels-idx1-ubyte": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "t10k-images-idx3-ubyte": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "t10k-labels-idx1-ubyte": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        },
        raw_sha256={
            "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        },
        homepage="http://yann.lecun.com/exdb/mnist/",
    ),
    "fashion-mnist": _Dataset(
        name="fashion-mnist",
        url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
        gz_sha256={
            "train-images-idx3-ubyte": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "train-labels-idx1-ubyte": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "t10k-images-idx3-ubyte": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "t10k-labels-idx1-ubyte": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        },
        raw_sha256={
            "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        },
        homepage="https://github.com/zalandoresearch/fashion-mnist",
    ),
}


def load_mnist(data_dir=None, *, cache_dir=None, base_url=None, download=True):
    """Load the MNIST handwritten digits (LeCun, Cortes and Burges).

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        A folder holding ``mnist/`` with the four IDX files. Default: the environment
        variable ``MINNET_DATA_DIR``, if set.
    cache_dir : str or pathlib.Path, optional
        Where downloads are kept. Default: ``MINNET_CACHE_DIR``, else the user cache.
    base_url : str, optional
        A folder URL to download the ``.gz`` files from instead of the public mirror.
        Default: ``MINNET_DATA_URL``, else the public mirror.
    download : bool
        If false, never touch the network: use the local folder or the cache only.

    Returns
    -------
    tuple
        ``((x_train, y_train), (x_test, y_test))``: images of shape ``(n, 28, 28)``
        and labels of shape ``(n,)``, all ``uint8``; 60,000 training and 10,000 test
        examples, labels 0 to 9.

    Raises
    ------
    minnet.errors.DataUnavailableError
        If the files are neither on disk nor downloadable, or a file fails its checksum.
    """
    return _load("mnist", data_dir, cache_dir, base_url, download)


def load_fashion_mnist(data_dir=None, *, cache_dir=None, base_url=None, download=True):
    """Load Fashion-MNIST (Zalando Research): 28 x 28 images of clothing in 10 classes.

    Same files, shapes and arguments as :func:`load_mnist` (sub-folder
    ``fashion-mnist/``). The classes are, in order: T-shirt/top, trouser, pullover,
    dress, coat, sandal, shirt, sneaker, bag, ankle boot.
    """
    return _load("fashion-mnist", data_dir, cache_dir, base_url, download)


# --------------------------------------------------------------------------- internals


def _load(name, data_dir, cache_dir, base_url, download):
    spec = DATASETS[name]
    arrays = {}
    for stem in _FILE_NAMES:
        raw = _raw_bytes(spec, stem, data_dir, cache_dir, base_url, download)
        arrays[stem] = _parse_idx(raw, f"{spec.name}/{stem}")
    x_train, y_train = arrays["train-images-idx3-ubyte"], arrays["train-labels-idx1-ubyte"]
    x_test, y_test = arrays["t10k-images-idx3-ubyte"], arrays["t10k-labels-idx1-ubyte"]
    return (x_train, y_train), (x_test, y_test)


def _env_path(value, variable):
    if value is not None:
        return Path(value).expanduser()
    env = os.environ.get(variable)
    return Path(env).expanduser() if env else None


def _cache_root(cache_dir):
    root = _env_path(cache_dir, "MINNET_CACHE_DIR")
    if root is None:
        import pooch

        root = Path(pooch.os_cache("minnet"))
    return root


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_verified(path: Path, spec: _Dataset, stem: str) -> bytes:
    """The uncompressed bytes of ``path`` if they are the published file, else raise."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            raise _corrupted(path, spec, stem, f"it is not a valid gzip file ({exc})") from exc
    digest = _sha256(data)
    if digest != spec.raw_sha256[stem]:
        raise _corrupted(
            path,
            spec,
            stem,
            f"the SHA-256 of its uncompressed bytes is {digest}, "
            f"expected {spec.raw_sha256[stem]}",
        )
    return data


def _corrupted(path, spec, stem, why):
    return DataUnavailableError(
        f"Refusing {path}: {why}. The file is damaged or is not the published "
        f"{spec.name} file {stem}. Delete it and load again to download a fresh copy "
        f"from {spec.url}, or replace it with the original from {spec.homepage}."
    )


def _raw_bytes(spec, stem, data_dir, cache_dir, base_url, download):
    # 1. a local data directory
    local_root = _env_path(data_dir, "MINNET_DATA_DIR")
    if local_root is not None:
        for candidate in (local_root / spec.name / f"{stem}.gz", local_root / spec.name / stem):
            if candidate.is_file():
                return _read_verified(candidate, spec, stem)

    # 2. the cache (a file that fails verification is removed, then fetched again)
    cache = _cache_root(cache_dir) / spec.name
    cached = cache / f"{stem}.gz"
    if cached.is_file():
        try:
            return _read_verified(cached, spec, stem)
        except DataUnavailableError:
            cached.unlink(missing_ok=True)
            if not download:
                raise

    # 3. a download into the cache
    url_root = base_url or os.environ.get("MINNET_DATA_URL") or spec.url
    if not url_root.endswith("/"):
        url_root += "/"
    url = f"{url_root}{stem}.gz"
    if not download:
        raise _unavailable(spec, stem, local_root, cache, url, "downloading is switched off")
    # The public mirrors serve the published .gz bytes, so pooch checks those before the
    # file enters the cache. A mirror of your own may have re-compressed the files; for
    # those the check of the uncompressed bytes below is the one that counts.
    known = f"sha256:{spec.gz_sha256[stem]}" if url_root == spec.url else None
    path = _download(url, known, cache, f"{stem}.gz", spec, stem, local_root)
    try:
        return _read_verified(path, spec, stem)
    except DataUnavailableError:
        path.unlink(missing_ok=True)
        raise


def _download(url, known_hash, folder, fname, spec, stem, local_root):
    try:
        import pooch
    except ImportError as exc:  # pragma: no cover - pooch is in requirements.txt
        raise _unavailable(
            spec, stem, local_root, folder, url, "the package pooch is not installed"
        ) from exc

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)  # no "Downloading ..." lines on the book's pages
    try:
        path = pooch.retrieve(
            url, known_hash=known_hash, fname=fname, path=folder, progressbar=False
        )
    except ValueError as exc:  # pooch's checksum mismatch; the bad download is discarded
        raise DataUnavailableError(
            f"Refusing the download of {url}: {exc} The file was not kept. Try again "
            f"later, or download the four {spec.name} files yourself (see "
            f"{spec.homepage}) into a folder {spec.name}/ and set MINNET_DATA_DIR to "
            f"the folder that contains it."
        ) from exc
    except Exception as exc:  # network errors: no connection, HTTP 404, timeouts ...
        raise _unavailable(
            spec, stem, local_root, folder, url, f"{type(exc).__name__}: {exc}"
        ) from exc
    finally:
        logger.setLevel(level)
    return Path(path)


def _unavailable(spec, stem, local_root, cache, url, why):
    where = (
        f"MINNET_DATA_DIR is {str(local_root)!r}, which has no {spec.name}/{stem}.gz"
        if local_root is not None
        else "MINNET_DATA_DIR is not set"
    )
    return DataUnavailableError(
        f"Cannot load {spec.name}: the file {stem}.gz is not on this computer and "
        f"could not be downloaded from {url} ({why}). {where}; the download cache "
        f"{cache} has no copy either. To fix it, connect to the internet and load "
        f"again (the files are then cached), or download the four files "
        f"{', '.join(n + '.gz' for n in _FILE_NAMES)} from {spec.url} into a folder "
        f"'{spec.name}' and set the environment variable MINNET_DATA_DIR to the folder "
        f"that contains '{spec.name}'."
    )


_IDX_DTYPES = {0x08: np.uint8}


def _parse_idx(data: bytes, label: str) -> np.ndarray:
    """Parse an IDX file: 2 zero bytes, a type code, the number of dimensions, then
    one big-endian int32 per dimension, then the values in C order."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise DataUnavailableError(f"{label} is not an IDX file of unsigned bytes.")
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int(n) for n in np.frombuffer(data, dtype=">i4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[data[2]]
    expected = header + int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    if len(data) != expected:
        raise DataUnavailableError(
            f"{label}: the header announces shape {shape} ({expected} bytes in all), "
            f"but the file has {len(data)} bytes."
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).copy()


class _KerasDataset:
    """Keras's spelling ``keras.datasets.mnist.load_data()``: the same arrays as
    :func:`load_mnist` (or :func:`load_fashion_mnist`)."""

    def __init__(self, loader):
        self.load_data = loader

    def __repr__(self):
        return f"<minnet.datasets, Keras's spelling of {self.load_data.__name__}>"


#: ``mnist.load_data()`` is :func:`load_mnist`, as ``keras.datasets.mnist.load_data()``.
mnist = _KerasDataset(load_mnist)
#: ``fashion_mnist.load_data()`` is :func:`load_fashion_mnist`.
fashion_mnist = _KerasDataset(load_fashion_mnist)


# =========================================================================== toy data
#
# Small synthetic data sets for the chapters that train networks, Keras-shaped:
# ``x`` is float32 of shape ``(n, d)``, one example per row; ``y`` is what the loss the
# data set is meant for expects (each docstring says which). A ``seed`` gives
# bit-identical arrays run after run; the rows come in random order, so a slice of the
# data (``validation_split``) holds every class.


def _count(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _non_negative(value, name):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, got {value!r}.") from None
    if not np.isfinite(number) or number < 0:
        raise ConfigError(f"{name} must be a finite number >= 0, got {value!r}.")
    return number


def _split(n_samples, n_groups):
    """Sizes of ``n_groups`` groups that differ by at most one and sum to ``n_samples``."""
    return [n_samples // n_groups + (g < n_samples % n_groups) for g in range(n_groups)]


def _shuffled(rng, x, y):
    order = rng.permutation(len(x))
    return x[order].astype(np.float32), y[order]


def make_moons(n_samples=200, noise=0.1, *, seed=None):
    """Two interleaving half circles, a classic data set no straight line separates.

    Class 0 lies on the upper half circle ``(cos t, sin t)``, class 1 on the lower one
    ``(1 - cos t, 1/2 - sin t)``, ``t`` evenly spaced in ``[0, pi]``; each point then gets
    Gaussian noise of standard deviation ``noise`` on both coordinates.

    Returns
    -------
    x : float32 array (n_samples, 2)
    y : float32 array (n_samples, 1)
        0 or 1, as ``binary_crossentropy`` and a one-unit sigmoid output expect. Class 1
        has ``n_samples // 2`` points, class 0 the rest (one more when ``n_samples`` is odd).

    Raises
    ------
    minnet.errors.ConfigError
        If ``n_samples < 2`` or ``noise`` is negative or not finite.
    """
    n_samples = _count(n_samples, "n_samples", 2)
    noise = _non_negative(noise, "noise")
    rng = np.random.default_rng(seed)
    n0, n1 = _split(n_samples, 2)
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    x = np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                        np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])])
    x = x + rng.normal(0.0, noise, size=x.shape)
    y = np.concatenate([np.zeros(n0), np.ones(n1)]).reshape(-1, 1).astype(np.float32)
    return _shuffled(rng, x, y)


def make_spirals(n_samples=300, n_classes=3, noise=0.2, *, turns=1.0, seed=None):
    """``n_classes`` spiral arms winding around the origin, one class per arm.

    Arm ``k`` has points at radius ``r`` evenly spaced in ``[0, 1]`` and angle
    ``2 pi (turns r + k / n_classes)``, plus Gaussian noise of standard deviation
    ``noise`` on the angle (in radians); so the arms are the same curve rotated.

    Returns
    -------
    x : float32 array (n_samples, 2)
    y : int64 array (n_samples,)
        The class index ``0 .. n_classes - 1``, as ``sparse_categorical_crossentropy``
        expects. Class sizes differ by at most one.

    Raises
    ------
    minnet.errors.ConfigError
        If ``n_classes < 2``, ``n_samples < n_classes``, or ``noise`` or ``turns`` is
        negative or not finite.
    """
    n_classes = _count(n_classes, "n_classes", 2)
    n_samples = _count(n_samples, "n_samples", n_classes)
    noise = _non_negative(noise, "noise")
    turns = _non_negative(turns, "turns")
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k, size in enumerate(_split(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, size)
        angle = 2 * np.pi * (turns * r + k / n_classes) + rng.normal(0.0, noise, size)
        xs.append(np.column_stack([r * np.cos(angle), r * np.sin(angle)]))
        ys.append(np.full(size, k, dtype=np.int64))
    return _shuffled(rng, np.concatenate(xs), np.concatenate(ys))


def make_xor(n_samples=200, noise=0.1, *, kind="corners", seed=None):
    """Points labelled by the exclusive or of two coordinates.

    ``kind="corners"``: noisy copies of the four corners ``(0, 0), (0, 1), (1, 0), (1, 1)``
    of the unit square (Gaussian noise of standard deviation ``noise``), labelled by the
    XOR of the corner's bits: the truth table of chapter 1, with more than one point per
    row. ``kind="quadrants"``: points uniform in ``[-1, 1]^2``, labelled 1 where
    ``x_1 x_2 < 0`` (the second and fourth quadrants); ``noise`` then flips that fraction
    of the labels at random.

    Returns
    -------
    x : float32 array (n_samples, 2)
    y : float32 array (n_samples, 1)
        0 or 1, as ``binary_crossentropy`` (or ``mse``) and a one-unit output expect. With
        ``"corners"`` each corner gets ``n_samples // 4`` points or one more.

    Raises
    ------
    minnet.errors.ConfigError
        If ``n_samples < 4``, ``noise`` is negative (or above 1 for ``"quadrants"``),
        or ``kind`` is neither ``"corners"`` nor ``"quadrants"``.
    """
    n_samples = _count(n_samples, "n_samples", 4)
    noise = _non_negative(noise, "noise")
    rng = np.random.default_rng(seed)
    if kind == "corners":
        corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        which = np.repeat(np.arange(4), _split(n_samples, 4))
        x = corners[which] + rng.normal(0.0, noise, size=(n_samples, 2))
        y = (corners[which, 0] != corners[which, 1]).astype(np.float32)
    elif kind == "quadrants":
        if noise > 1:
            raise ConfigError(
                f"With kind='quadrants', noise is the fraction of labels flipped, a number "
                f"in [0, 1]; got {noise!r}."
            )
        x = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
        y = (x[:, 0] * x[:, 1] < 0).astype(np.float32)
        flip = rng.random(n_samples) < noise
        y[flip] = 1 - y[flip]
    else:
        raise ConfigError(f"kind must be 'corners' or 'quadrants', got {kind!r}.")
    return _shuffled(rng, x, y.reshape(-1, 1))


def make_linear(n_samples=100, w=3.0, b=0.0, *, noise="uniform", noise_scale=1.0,
                n_features=1, x_range=(0.0, 1.0), seed=None):
    """Noisy linear data ``y = x w + b + noise``, for regression with ``mse``.

    ``x`` is uniform in ``x_range`` (each feature); ``w`` is a number (the same slope for
    every feature) or an array of ``n_features`` slopes. The noise is drawn per example:

    * ``"uniform"``: uniform on ``[0, noise_scale)``, mean ``noise_scale / 2``. With the
      defaults this is ``y = 3x + U(0, 1)``, the data of a linear regression often shown
      in tutorials (``np.random.rand``);
    * ``"normal"``: Gaussian with mean 0 and standard deviation ``noise_scale``;
    * ``None``: no noise;
    * a function ``noise(rng, size)`` returning an array of ``size`` numbers, for any
      other distribution (``rng`` is the generator seeded by ``seed``).

    Returns
    -------
    x : float32 array (n_samples, n_features)
    y : float32 array (n_samples, 1)

    Raises
    ------
    minnet.errors.ConfigError
        For an unknown ``noise``, a negative ``noise_scale``, an empty or reversed
        ``x_range``, ``w`` of the wrong length, or a ``b`` that is not a number.
    """
    n_samples = _count(n_samples, "n_samples", 1)
    n_features = _count(n_features, "n_features", 1)
    try:
        b = float(b)
    except (TypeError, ValueError):
        raise ConfigError(f"b must be a number (the intercept), got {b!r}.") from None
    noise_scale = _non_negative(noise_scale, "noise_scale")
    try:
        low, high = (float(v) for v in x_range)
    except (TypeError, ValueError):
        raise ConfigError(f"x_range must be a pair (low, high), got {x_range!r}.") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ConfigError(f"x_range must be finite with low < high, got {x_range!r}.")
    slopes = np.broadcast_to(np.asarray(w, dtype=np.float64), (n_features,)) \
        if np.ndim(w) == 0 else np.asarray(w, dtype=np.float64).reshape(-1)
    if slopes.shape != (n_features,):
        raise ConfigError(
            f"w must be one number or {n_features} slopes (one per feature), got "
            f"{slopes.size} values."
        )
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, size=(n_samples, n_features))
    if noise == "uniform":
        eps = rng.uniform(0.0, noise_scale, size=n_samples)
    elif noise == "normal":
        eps = rng.normal(0.0, noise_scale, size=n_samples)
    elif noise is None:
        eps = np.zeros(n_samples)
    elif callable(noise):
        eps = np.asarray(noise(rng, n_samples), dtype=np.float64)
        if eps.shape != (n_samples,):
            raise ConfigError(
                f"noise(rng, size) must return {n_samples} numbers, got shape {eps.shape}."
            )
    else:
        raise ConfigError(
            f"noise must be 'uniform', 'normal', None or a function noise(rng, size), "
            f"got {noise!r}."
        )
    y = x @ slopes + float(b) + eps
    return x.astype(np.float32), y.reshape(-1, 1).astype(np.float32)
