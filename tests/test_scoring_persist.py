"""Saving and loading rankers: skops only, hash checked, types on an allow-list."""

import ast
import hashlib
from pathlib import Path

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier

from scoring import persist
from scoring.features import build_features
from scoring.persist import RankerFileError, load, save
from scoring.rank import rank
from scoring.synthetic import make_data
from scoring.train import Ranker, train


class Foreign:
    """A type no ranker is made of."""


@pytest.fixture(scope="module")
def trained():
    """A small trained ranker and the data it came from."""
    data = make_data(60, random_state=2)
    return data, train(data.scorecards, data.labels, data.trait_keys, n_repeats=1).ranker


def test_a_saved_ranker_loads_and_ranks_the_same(trained, tmp_path):
    data, ranker = trained
    path = tmp_path / "ranker-v1.skops"
    digest = save(ranker, path)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    loaded = load(path, digest)
    assert isinstance(loaded, Ranker)
    assert loaded.trait_keys == ranker.trait_keys and loaded.offsets_ == ranker.offsets_
    _, X = build_features(data.scorecards, data.trait_keys)
    np.testing.assert_array_equal(loaded.predict_proba(X), ranker.predict_proba(X))
    assert rank(loaded, data.scorecards) == rank(ranker, data.scorecards)
    assert not list(tmp_path.glob("*.partial"))


def test_a_file_changed_by_one_byte_is_refused(trained, tmp_path):
    path = tmp_path / "ranker.skops"
    digest = save(trained[1], path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(RankerFileError, match="changed since training"):
        load(path, digest)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(RankerFileError, match="missing"):
        load(tmp_path / "nowhere.skops", "0" * 64)


def with_extra(ranker: Ranker, value) -> Ranker:
    """A copy of ``ranker`` carrying one more attribute."""
    copy = Ranker.__new__(Ranker)
    copy.__dict__.update(ranker.__dict__, extra_=value)
    return copy


@pytest.mark.parametrize(
    "extra, named",
    [
        (Foreign(), f"{Foreign.__module__}.Foreign"),  # unknown to skops
        (DecisionTreeClassifier(), "sklearn.tree._classes.DecisionTreeClassifier"),  # trusted by skops, not by us
        (np.sum, "numpy.sum"),  # a function could be anything
    ],
)
def test_a_file_with_a_type_outside_the_allow_list_is_refused(trained, tmp_path, extra, named):
    path = tmp_path / "ranker.skops"
    digest = save(with_extra(trained[1], extra), path)  # the hash matches: only the types are wrong
    with pytest.raises(RankerFileError, match="unexpected types") as raised:
        load(path, digest)
    assert named in str(raised.value)


def test_a_file_without_a_ranker_is_refused(tmp_path):
    path = tmp_path / "ranker.skops"
    digest = save({"not": "a ranker"}, path)
    with pytest.raises(RankerFileError, match="does not hold a ranker"):
        load(path, digest)


def test_a_file_that_is_not_skops_is_refused(tmp_path):
    path = tmp_path / "ranker.skops"
    path.write_bytes(b"not a zip file")
    with pytest.raises(RankerFileError, match="could not be read"):
        load(path, hashlib.sha256(b"not a zip file").hexdigest())


def test_persistence_never_uses_pickle_or_joblib():
    tree = ast.parse(Path(persist.__file__).read_text())
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported.isdisjoint({"pickle", "joblib", "cloudpickle", "dill"})
