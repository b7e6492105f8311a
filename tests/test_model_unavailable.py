"""A missing, damaged or unreadable model file: every page that shows fit still opens and says why not."""

import logging
import os
from pathlib import Path

import pytest

from hiring import ranking
from hiring.ranking import ADMIN_ACTION
from models import CandidateScore, ModelVersion, Role, db
from tests import fit_history
from tests.api.helpers import bearer, make_token
from tests.factories import make_user, sign_in_as
from tests.snapshots import restore_snapshot

UNAVAILABLE = "Model version 1 is unavailable"


# Trained once for this module.
trained_snapshot = fit_history.trained_snapshot


@pytest.fixture
def trained(app, trained_snapshot) -> dict:
    """The trained history in the test's database (ask for it before other records), with the path of its file."""
    snapshot, history = trained_snapshot
    restore_snapshot(app, snapshot)
    with app.app_context():
        version = db.session.scalars(db.select(ModelVersion)).one()
        return {**history, "path": Path(app.instance_path) / "models" / version.file_name}


def damage(path: Path, fault: str) -> None:
    """Delete the file, overwrite it with random bytes, or cut it in half."""
    if fault == "missing":
        path.unlink()
    elif fault == "corrupt":
        path.write_bytes(os.urandom(path.stat().st_size))
    else:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def says_unavailable(response) -> bool:
    """True if the page opened and says the model is unavailable and what an admin can do."""
    assert response.status_code == 200, response.text
    return UNAVAILABLE in response.text and ADMIN_ACTION in response.text


def warnings_logged(caplog) -> list[str]:
    """The "model unavailable" warnings logged so far."""
    return [r.getMessage() for r in caplog.records if r.name == "hiring.ranking" and r.levelno == logging.WARNING]


@pytest.mark.parametrize("fault", ["missing", "corrupt", "truncated"])
def test_every_page_using_the_model_opens_and_says_it_is_unavailable(app, trained, client, manager, fault, caplog):
    prospect, other = trained["pool"][:2]
    damage(trained["path"], fault)
    caplog.set_level(logging.WARNING, logger="hiring.ranking")

    # Stored scores are still shown, with the notice that new scorecards will not be scored.
    assert says_unavailable(client.get("/model/"))
    assert says_unavailable(client.get("/model/versions/1"))
    page = client.get(f"/candidates/{prospect}")
    assert says_unavailable(page) and "Expected fit" in page.text
    # Pages that show only stored scores and the version's report need no file.
    for url in ("/", "/candidates/", "/model/versions/1/card", "/model/versions/1/card.md"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/candidates/{prospect}/explanation").status_code == 200

    # A re-ranking with the damaged file removes the scores rather than keeping stale ones.
    with app.app_context():
        assert ranking.rank_candidates() == 0
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count()).select_from(CandidateScore)) == 0
        token = make_token(make_user(Role.MANAGER))
    page = client.get(f"/candidates/{prospect}")
    assert says_unavailable(page) and "No fit score" in page.text and "Expected fit" not in page.text
    assert says_unavailable(client.get(f"/compare?ids={prospect}&ids={other}"))
    assert client.get(f"/candidates/{prospect}/explanation").status_code == 200
    api = client.get(f"/api/v1/candidates/{prospect}/ranking", headers=bearer(token))
    assert api.status_code == 404 and UNAVAILABLE in api.json["error"]["message"]

    # Activating the version is refused with the reason, not a server error.
    with app.app_context():
        admin = make_user(Role.ADMIN)
    sign_in_as(client, admin)
    refused = client.post("/model/versions/1/activate", follow_redirects=True)
    assert refused.status_code in (200, 409) and UNAVAILABLE in refused.text

    # One warning for the damaged file, however many pages asked for the model.
    assert len(warnings_logged(caplog)) == 1, warnings_logged(caplog)


def test_an_unreadable_file_makes_the_model_unavailable(app, trained, client, manager, monkeypatch):
    path = trained["path"]
    real_read_bytes = Path.read_bytes

    def read_bytes(self):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    # chmod changes the file's status (its ctime), which the cache checks; root could still read it.
    path.chmod(0)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    page = client.get(f"/candidates/{trained['pool'][0]}")
    assert says_unavailable(page) and "could not be read: Permission denied" in page.text


def test_the_loaded_model_is_reused_and_a_replaced_file_is_picked_up(app, trained, client, manager, monkeypatch):
    path = trained["path"]
    good = path.read_bytes()
    loads = []
    real_load = ranking.load
    monkeypatch.setattr(ranking, "load", lambda *args: loads.append(args) or real_load(*args))
    ranking.rankers.clear()  # as in a worker process that has not loaded it yet (training may have)
    with app.app_context():
        version = db.session.scalars(db.select(ModelVersion)).one()
        first = ranking.load_ranker(version)
        assert ranking.load_ranker(version) is first and len(loads) == 1  # read once, then from memory
    for _ in range(3):
        assert not says_unavailable(client.get(f"/candidates/{trained['pool'][0]}"))
    assert len(loads) == 1

    damage(path, "corrupt")  # the file is replaced: the next page sees it without a restart
    assert says_unavailable(client.get("/model/"))
    assert says_unavailable(client.get("/model/"))
    assert len(loads) == 2  # the damaged file was read once, not on every page

    partial = path.with_name(path.name + ".restore")
    partial.write_bytes(good)
    os.replace(partial, path)  # restored from a backup, as an admin would
    assert not says_unavailable(client.get("/model/"))
    with app.app_context():
        version = db.session.scalars(db.select(ModelVersion)).one()
        assert ranking.load_ranker(version) is not first and len(loads) == 3
        assert ranking.rank_candidates() == len(trained["pool"])


def test_only_the_most_recently_used_models_stay_loaded(app, trained, runner, monkeypatch):
    assert runner.invoke(args=["train"]).exit_code == 0
    loads = []
    real_load = ranking.load
    monkeypatch.setattr(ranking, "load", lambda *args: loads.append(args) or real_load(*args))
    cache = ranking.RankerCache(size=1)
    with app.app_context():
        first, second = db.session.scalars(db.select(ModelVersion).order_by(ModelVersion.number)).all()
        folder = ranking.models_folder()
        cache.get(first, folder)
        cache.get(first, folder)
        cache.get(second, folder)  # pushes version 1 out
        cache.get(first, folder)
    assert [Path(path).name for path, _ in loads] == [first.file_name, second.file_name, first.file_name]
