"""minnet.datasets: local folder first, then the cache, then a verified download.

The downloads go to a real HTTP server on 127.0.0.1 serving copies of the original
files (and, where a test says so, deliberately damaged copies); nothing here reaches
the internet.
"""

from __future__ import annotations

import dataclasses
import gzip
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minnet import datasets
from minnet.datasets import load_fashion_mnist, load_mnist
from minnet.errors import DataUnavailableError, MinnetError

FILES = [f"{stem}.gz" for stem in datasets._FILE_NAMES]
LOADERS = {"mnist": load_mnist, "fashion-mnist": load_fashion_mnist}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path, no_proxy):
    """No test sees the developer's data folder, cache or mirror unless it sets them."""
    monkeypatch.delenv("MINNET_DATA_DIR", raising=False)
    monkeypatch.delenv("MINNET_DATA_URL", raising=False)
    monkeypatch.setenv("MINNET_CACHE_DIR", str(tmp_path / "default-cache"))


def _mirror(source: Path, name: str, target: Path) -> Path:
    """Copy the four .gz files of ``name`` into ``target`` (a folder a server serves)."""
    target.mkdir(parents=True, exist_ok=True)
    for f in FILES:
        shutil.copyfile(source / name / f, target / f)
    return target


def _damage(path: Path, *, keep_gzip_valid: bool) -> None:
    """Change one byte of the data in ``path`` (a .gz file)."""
    if keep_gzip_valid:
        raw = bytearray(gzip.decompress(path.read_bytes()))
        raw[-1] ^= 0xFF  # one pixel or one label changed: valid gzip, wrong data
        path.write_bytes(gzip.compress(bytes(raw)))
    else:
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))


def _closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connections are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# ------------------------------------------------------------------ the local folder


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_local_folder_gives_keras_shaped_uint8_arrays(name, data_source_dir):
    (x_train, y_train), (x_test, y_test) = LOADERS[name](data_source_dir)
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    for a in (x_train, y_train, x_test, y_test):
        assert a.dtype == np.uint8
        assert a.flags.writeable
    assert set(np.unique(y_train)) == set(range(10))
    assert np.bincount(y_test, minlength=10).sum() == 10000
    assert x_train.max() == 255 and x_train.min() == 0


def test_mnist_is_the_original_in_keras_order(data_source_dir):
    (x_train, y_train), (_, y_test) = load_mnist(data_source_dir)
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(y_train).tolist() == [
        5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
    ]


def test_environment_variable_names_the_local_folder(data_source_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("MINNET_DATA_DIR", str(data_source_dir))
    monkeypatch.setenv("MINNET_DATA_URL", _closed_port_url())  # the network is never asked
    (_, y_train), _ = load_fashion_mnist()
    assert y_train[:5].tolist() == [9, 0, 0, 3, 0]
    assert not (tmp_path / "default-cache").exists()


def test_uncompressed_files_in_the_local_folder_are_read_too(data_source_dir, tmp_path):
    folder = tmp_path / "data" / "mnist"
    folder.mkdir(parents=True)
    for f in FILES:
        (folder / f[:-3]).write_bytes(gzip.decompress((data_source_dir / "mnist" / f).read_bytes()))
    (_, y_train), (x_test, _) = load_mnist(tmp_path / "data", download=False)
    expected = load_mnist(data_source_dir)
    assert np.array_equal(y_train, expected[0][1])
    assert np.array_equal(x_test, expected[1][0])


def test_damaged_local_file_is_refused_with_its_path(data_source_dir, tmp_path):
    folder = _mirror(data_source_dir, "mnist", tmp_path / "data" / "mnist")
    _damage(folder / "t10k-labels-idx1-ubyte.gz", keep_gzip_valid=True)
    with pytest.raises(DataUnavailableError, match="SHA-256") as info:
        load_mnist(tmp_path / "data", download=False)
    assert "t10k-labels-idx1-ubyte.gz" in str(info.value)


# ------------------------------------------------------------------ download and cache


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_download_from_a_mirror_then_reuse_the_cache(
    name, data_source_dir, tmp_path, local_server
):
    served = _mirror(data_source_dir, name, tmp_path / "www")
    cache = tmp_path / "cache"
    with local_server(served) as server:
        first = LOADERS[name](cache_dir=cache, base_url=server.url)
        assert sorted(server.requests) == sorted(f"/{f}" for f in FILES)
        assert sorted(p.name for p in (cache / name).iterdir()) == sorted(FILES)

        second = LOADERS[name](cache_dir=cache, base_url=server.url)
        assert len(server.requests) == 4, "the second load must come from the cache"

    expected = LOADERS[name](data_source_dir)
    for got_pair, again_pair, want_pair in zip(first, second, expected):
        for got, again, want in zip(got_pair, again_pair, want_pair):
            assert np.array_equal(got, want) and np.array_equal(again, want)


def test_cache_is_used_with_the_network_switched_off(data_source_dir, tmp_path, local_server):
    served = _mirror(data_source_dir, "fashion-mnist", tmp_path / "www")
    with local_server(served) as server:
        load_fashion_mnist(cache_dir=tmp_path / "cache", base_url=server.url)
    (_, y_train), _ = load_fashion_mnist(cache_dir=tmp_path / "cache", download=False)
    assert y_train.shape == (60000,)


def test_environment_variables_name_mirror_and_cache(
    data_source_dir, tmp_path, local_server, monkeypatch
):
    served = _mirror(data_source_dir, "mnist", tmp_path / "www")
    with local_server(served) as server:
        monkeypatch.setenv("MINNET_DATA_URL", server.url.rstrip("/"))  # no slash: still works
        monkeypatch.setenv("MINNET_CACHE_DIR", str(tmp_path / "env-cache"))
        load_mnist()
        assert len(server.requests) == 4
    assert len(list((tmp_path / "env-cache" / "mnist").iterdir())) == 4


def test_the_public_mirror_is_checked_against_the_published_gz_hashes(
    data_source_dir, tmp_path, local_server, monkeypatch
):
    """Fashion-MNIST's files are byte-identical to the published ones, so the mirror
    can be stood in for by the local server with pooch's .gz check switched on."""
    served = _mirror(data_source_dir, "fashion-mnist", tmp_path / "www")
    with local_server(served) as server:
        spec = dataclasses.replace(datasets.DATASETS["fashion-mnist"], url=server.url)
        monkeypatch.setitem(datasets.DATASETS, "fashion-mnist", spec)
        (_, y_train), _ = load_fashion_mnist(cache_dir=tmp_path / "cache")
        assert y_train[:5].tolist() == [9, 0, 0, 3, 0]

        _damage(served / "train-labels-idx1-ubyte.gz", keep_gzip_valid=False)
        with pytest.raises(DataUnavailableError, match="Refusing the download") as info:
            load_fashion_mnist(cache_dir=tmp_path / "fresh-cache")
    assert "train-labels-idx1-ubyte.gz" in str(info.value)
    assert not (tmp_path / "fresh-cache" / "fashion-mnist" / "train-labels-idx1-ubyte.gz").exists()


@pytest.mark.parametrize("keep_gzip_valid", [True, False], ids=["wrong-data", "broken-gzip"])
def test_a_damaged_download_is_refused_and_not_kept(
    keep_gzip_valid, data_source_dir, tmp_path, local_server
):
    served = _mirror(data_source_dir, "mnist", tmp_path / "www")
    _damage(served / "train-labels-idx1-ubyte.gz", keep_gzip_valid=keep_gzip_valid)
    cache = tmp_path / "cache"
    with local_server(served) as server:
        with pytest.raises(DataUnavailableError) as info:
            load_mnist(cache_dir=cache, base_url=server.url)
    message = str(info.value)
    assert "train-labels-idx1-ubyte" in message and "Refusing" in message
    assert ("SHA-256" in message) if keep_gzip_valid else ("gzip" in message)
    assert not (cache / "mnist" / "train-labels-idx1-ubyte.gz").exists()


def test_a_damaged_cached_file_is_fetched_again(data_source_dir, tmp_path, local_server):
    served = _mirror(data_source_dir, "mnist", tmp_path / "www")
    cache = tmp_path / "cache"
    _mirror(data_source_dir, "mnist", cache / "mnist")
    _damage(cache / "mnist" / "t10k-labels-idx1-ubyte.gz", keep_gzip_valid=True)
    with local_server(served) as server:
        _, (_, y_test) = load_mnist(cache_dir=cache, base_url=server.url)
        assert server.requests == ["/t10k-labels-idx1-ubyte.gz"]
    assert y_test[:3].tolist() == [7, 2, 1]


# ------------------------------------------------------------------ no way to get the data


def test_offline_without_files_raises_a_clear_error(tmp_path):
    url = _closed_port_url()
    with pytest.raises(DataUnavailableError) as info:
        load_mnist(cache_dir=tmp_path / "empty-cache", base_url=url)
    error = info.value
    assert isinstance(error, MinnetError) and isinstance(error, OSError)
    message = str(error)
    assert "MINNET_DATA_DIR" in message
    assert url in message
    assert "train-images-idx3-ubyte.gz" in message


def test_download_switched_off_and_nothing_on_disk(tmp_path):
    with pytest.raises(DataUnavailableError, match="downloading is switched off"):
        load_fashion_mnist(data_dir=tmp_path / "nothing-here", download=False)


def test_a_missing_file_on_the_mirror_is_reported(tmp_path, local_server):
    (tmp_path / "www").mkdir()
    with local_server(tmp_path / "www") as server:
        with pytest.raises(DataUnavailableError, match="MINNET_DATA_DIR") as info:
            load_mnist(cache_dir=tmp_path / "cache", base_url=server.url)
    assert server.url in str(info.value)


# ------------------------------------------------------------------ the IDX format


@settings(max_examples=50, deadline=None)
@given(
    shape=st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=3),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_idx_round_trip(shape, seed):
    array = np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)
    header = bytes([0, 0, 0x08, len(shape)]) + np.array(shape, dtype=">i4").tobytes()
    parsed = datasets._parse_idx(header + array.tobytes(), "test")
    assert parsed.shape == tuple(shape) and parsed.dtype == np.uint8
    assert np.array_equal(parsed, array)


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x00\x0d\x01", b"\x01\x00\x08\x01\x00\x00\x00\x02ab",
     b"\x00\x00\x08\x01\x00\x00\x00\x03ab"],
    ids=["empty", "float-type", "bad-magic", "truncated"],
)
def test_malformed_idx_is_refused(data):
    with pytest.raises(DataUnavailableError):
        datasets._parse_idx(data, "test")
