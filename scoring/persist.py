"""Save and load rankers with skops, refusing any file this app did not write.

Pickle and joblib run code while loading; skops only rebuilds types it is told to trust. Here
that trust is an explicit list: the file's SHA-256 must match the one recorded at training, and
every type and node kind it names must be one this app's rankers are made of.
"""

import hashlib
import hmac
import io
import json
import os
import zipfile
from pathlib import Path

import skops.io as sio

from scoring.train import Ranker

# Every type a ranker is made of: our classes, the scikit-learn and numpy types inside them,
# and the builtins skops stores plain values as.
ALLOWED_TYPES = (
    "scoring.train.Ranker",
    "scoring.train.OrdinalClassifier",
    "sklearn.pipeline.Pipeline",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.model_selection._split.StratifiedKFold",
    "numpy.ndarray",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.bool_",
    "numpy.str_",
    "builtins.dict",
    "builtins.list",
    "builtins.tuple",
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "builtins.bool",
    "builtins.NoneType",
)
# How skops may rebuild them: objects from their state, containers, JSON values and arrays.
# Functions, methods and operators (which could name any callable) are not on the list.
ALLOWED_NODES = frozenset(
    {"ObjectNode", "DictNode", "ListNode", "TupleNode", "JsonNode", "TypeNode", "DTypeNode", "NdArrayNode"}
)


class RankerFileError(Exception):
    """A ranker file cannot be loaded: missing, changed since training, or holding unexpected types."""


def save(ranker: Ranker, path: Path) -> str:
    """Write ``ranker`` to ``path`` with skops.

    Parameters
    ----------
    ranker : Ranker
    path : pathlib.Path
        Written atomically: a reader never sees half a file.

    Returns
    -------
    str
        The file's SHA-256, hex; record it to load the file later.
    """
    data = sio.dumps(ranker)
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)
    return hashlib.sha256(data).hexdigest()


def load(path: Path, sha256: str) -> Ranker:
    """Read a ranker written by :func:`save`, after checking it is the same file.

    Parameters
    ----------
    path : pathlib.Path
    sha256 : str
        The hex digest :func:`save` returned.

    Returns
    -------
    Ranker

    Raises
    ------
    RankerFileError
        The file is missing or unreadable, its hash differs (changed since training), it names a type or
        node kind outside the allow-list, or it is not a ranker.
    """
    path = Path(path)
    if not path.is_file():
        raise RankerFileError(f"The model file {path.name} is missing.")
    try:
        data = path.read_bytes()  # hash and load the same bytes, so the file cannot change in between
    except OSError as error:
        raise RankerFileError(f"The model file {path.name} could not be read: {error.strerror}.") from error
    if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), sha256.lower()):
        raise RankerFileError(
            f"The model file {path.name} changed since training (its SHA-256 does not match); it was not loaded."
        )
    try:
        unexpected = sorted(set(sio.get_untrusted_types(data=data)) - set(ALLOWED_TYPES)) or _unexpected_in(data)
        if unexpected:
            raise RankerFileError(
                f"The model file {path.name} holds unexpected types: {', '.join(unexpected)}; it was not loaded."
            )
        ranker = sio.loads(data, trusted=list(ALLOWED_TYPES))
    except RankerFileError:
        raise
    except Exception as error:  # noqa: BLE001 - skops raises many kinds for a damaged file; all mean "unreadable"
        raise RankerFileError(f"The model file {path.name} could not be read: {error}") from error
    if not isinstance(ranker, Ranker):
        raise RankerFileError(f"The model file {path.name} does not hold a ranker.")
    return ranker


def _unexpected_in(data: bytes) -> list[str]:
    """Every type or node kind in the file's schema that is not allowed.

    skops trusts all scikit-learn estimators by default, so ``get_untrusted_types`` alone
    would let, say, a different model through; this walks the whole schema instead.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        schema = json.loads(archive.read("schema.json"))
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__class__" in node and "__module__" in node:
                found.add(f"{node['__module__']}.{node['__class__']}")
            if "__loader__" in node and node["__loader__"] not in ALLOWED_NODES:
                found.add(f"{node['__loader__']} (a skops node kind)")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(found - set(ALLOWED_TYPES))
