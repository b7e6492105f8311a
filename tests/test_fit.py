"""The fit model in the app: training (command and background job), versions, ranking, and the pages."""

import json
import re
from pathlib import Path
from statistics import mean

import pytest

from hiring import ranking, training
from hiring.training import wait_for_job
from models import (
    AuditEntry,
    Candidate,
    CandidateScore,
    JobStatus,
    ModelVersion,
    Role,
    Scorecard,
    TrainingJob,
    db,
    utcnow,
)
from scoring.rank import Prediction, Reason
from tests import fit_history
from tests.factories import make_opening, make_scorecard, make_user, sign_in_as
from tests.fit_history import make_history
from tests.snapshots import restore_snapshot


@pytest.fixture
def history(app):
    """60 hired reps with tiers and 12 interviewed pool candidates, plus one not interviewed."""
    with app.app_context():
        return make_history(pool=12)


# Trained once for this module.
trained_snapshot = fit_history.trained_snapshot


@pytest.fixture
def trained(app, trained_snapshot):
    """The history, with model version 1 trained from the command line (ask for it before other records)."""
    snapshot, history = trained_snapshot
    restore_snapshot(app, snapshot)
    return history


def test_model_page_before_any_training_says_what_is_needed(client, manager):
    page = client.get("/model/")
    assert page.status_code == 200
    assert "No model yet" in page.text
    assert "at least 30 reps" in page.text


@pytest.mark.parametrize("role", [Role.INTERVIEWER])
def test_interviewers_cannot_see_or_train_the_model(app, client, role):
    with app.app_context():
        sign_in_as(client, make_user(role))
    assert client.get("/model/").status_code == 403
    assert client.post("/model/train").status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/model/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_training_refuses_too_little_history_and_says_what_is_missing(app, runner):
    with app.app_context():
        make_history(reps=12, pool=0)
    result = runner.invoke(args=["train"])
    assert result.exit_code == 1
    assert "Not enough history" in result.output
    assert "12" in result.output and "30" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ModelVersion.id))) == 0


def test_train_command_is_refused_while_a_training_job_runs_and_leaves_a_job_of_its_own(app, runner, history):
    with app.app_context():
        db.session.add(TrainingJob(status=JobStatus.RUNNING, progress=40, message="Cross-validating"))
        db.session.commit()
    result = runner.invoke(args=["train"])
    assert result.exit_code == 1
    assert "A training job is already running (40 %: Cross-validating). Wait for it to finish." in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ModelVersion.id))) == 0
        db.session.execute(db.update(TrainingJob).values(status=JobStatus.SUCCEEDED))
        db.session.commit()
    assert runner.invoke(args=["train"]).exit_code == 0
    with app.app_context():
        job = db.session.scalars(db.select(TrainingJob).order_by(TrainingJob.id.desc())).first()
        assert job.status is JobStatus.SUCCEEDED and job.progress == 100 and job.started_by_id is None
        assert job.model_version.number == 1


def test_an_interrupted_train_command_leaves_no_running_job_behind(app, runner, history, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "train", interrupted)
    result = runner.invoke(args=["train"])
    assert result.exit_code == 1 and "Aborted!" in result.output  # what click prints for Ctrl+C
    with app.app_context():
        job = db.session.scalars(db.select(TrainingJob)).one()
        assert job.status is JobStatus.FAILED and job.message == "Training was interrupted before it finished."
        assert db.session.scalar(db.select(db.func.count(ModelVersion.id))) == 0
    monkeypatch.undo()
    assert runner.invoke(args=["train"]).exit_code == 0  # nothing holds the next one back


def test_train_command_stores_an_active_version_with_everything_needed_to_trust_it(app, trained, runner):
    with app.app_context():
        version = db.session.scalars(db.select(ModelVersion)).one()
        assert version.number == 1 and version.active
        assert (Path(app.instance_path) / "models" / version.file_name).is_file()
        assert len(version.file_sha256) == 64
        assert version.rule["quota_months_hit"] == 2
        assert "coachability.mean" in version.features and "interviews" in version.features
        assert not any(word in " ".join(version.features) for word in ("name", "email", "location"))
        assert version.data["rows"] == 60 and len(version.data["sha256"]) == 64
        assert version.report["cv"] == {"splits": 5, "repeats": app.config["FIT_CV_REPEATS"]}
        assert {"python", "scikit-learn", "numpy", "skops"} <= set(version.libraries)
        for name in ("model", "majority", "mean_rating"):
            assert {"spearman", "auc_a", "qwk", "brier", "top20_precision"} <= set(version.report["metrics"][name])
        # Every interviewed candidate is scored by it; the reps it learned from and the one not interviewed are not.
        scores = db.session.scalars(db.select(CandidateScore)).all()
        assert sorted(score.candidate_id for score in scores) == sorted(trained["pool"])
        assert {score.model_version_id for score in scores} == {version.id}
        assert trained["unseen"] not in {score.candidate_id for score in scores}
        actions = db.session.scalars(db.select(AuditEntry.action)).all()
        assert "model.trained" in actions and "model.activated" in actions
        # The planted structure comes out: the better half of the prospects (by their hidden quality)
        # scores higher on average than the other half.
        quality = trained["pool_quality"]
        by_quality = sorted(quality, key=quality.get)
        score = {row.candidate_id: row.score for row in scores}
        half = len(by_quality) // 2
        assert mean(score[c] for c in by_quality[half:]) > mean(score[c] for c in by_quality[:half]) + 5


def test_rank_command_prints_the_ranking_best_first(app, trained, runner):
    result = runner.invoke(args=["rank", "--format", "json", "--limit", "5"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 5
    keys = {
        "external_id",
        "email",
        "name",
        "predicted_tier",
        "p_a",
        "p_b",
        "p_c",
        "score",
        "certainty",
        "model_version",
    }
    assert keys <= set(rows[0])
    assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)
    assert all(abs(row["p_a"] + row["p_b"] + row["p_c"] - 1) < 0.01 for row in rows)
    assert {row["model_version"] for row in rows} == {1}

    with app.app_context():
        db.session.get(Candidate, trained["pool"][0]).name = '=HYPERLINK("http://evil.example")'
        db.session.commit()
    csv_result = runner.invoke(args=["rank", "--format", "csv"])
    assert "'=HYPERLINK" in csv_result.output and ",=HYPERLINK" not in csv_result.output
    lines = csv_result.output.strip().splitlines()
    assert lines[0].startswith("external_id,email,name,predicted_tier,p_a,p_b,p_c,score,certainty,model_version")
    assert len(lines) == 1 + 12
    assert "new@example.org" not in csv_result.output


def test_one_openings_ranking_on_the_command_line_and_the_board(app, trained, client, manager, runner):
    from models import Application

    with app.app_context():
        opening = make_opening()
        for candidate_id in trained["pool"][:2]:
            db.session.add(Application(opening_id=opening.id, candidate_id=candidate_id, stage="Applied"))
        db.session.commit()
    result = runner.invoke(args=["rank", "--format", "json", "--opening", str(opening.id)])
    assert {row["email"] for row in json.loads(result.output)} == {"prospect0@example.org", "prospect1@example.org"}
    with app.app_context():
        scores = {c: db.session.get(CandidateScore, c).score for c in trained["pool"][:2]}
    best, other = sorted(scores, key=scores.get, reverse=True)
    board = client.get(f"/openings/{opening.id}?sort=fit").text
    assert board.index(f"/candidates/{best}") < board.index(f"/candidates/{other}")
    assert "Advice, not a decision" in board
    missing = runner.invoke(args=["rank", "--opening", "99999"])
    assert missing.exit_code == 1 and "no opening with id 99999" in missing.output


def test_rank_command_without_a_model_says_so(runner):
    result = runner.invoke(args=["rank"])
    assert result.exit_code == 1
    assert "No model has been trained yet" in result.output


def test_train_button_runs_a_background_job_with_progress(app, client, manager, history):
    response = client.post("/model/train")
    assert response.status_code == 302
    job_id = int(re.search(r"/model/jobs/(\d+)", response.headers["Location"]).group(1))
    wait_for_job(job_id)
    page = client.get(f"/model/jobs/{job_id}")
    assert "Succeeded" in page.text
    assert "Model version 1 trained and active" in page.text
    assert 'data-running="false"' in page.text and "job-progress.js" not in page.text
    with app.app_context():
        job = db.session.get(TrainingJob, job_id)
        assert job.progress == 100 and job.model_version.number == 1 and job.started_by_id == manager.id


def test_a_running_job_page_updates_itself_and_a_second_start_joins_it(app, client, manager):
    with app.app_context():
        job = TrainingJob(status=JobStatus.RUNNING, progress=40, message="Cross-validating", started_by_id=manager.id)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    page = client.get(f"/model/jobs/{job_id}")
    # It updates itself in place (a script), never with a timed reload (an accessibility failure).
    assert 'data-running="true"' in page.text and "job-progress.js" in page.text
    assert 'http-equiv="refresh"' not in page.text
    assert "40 %" in page.text and "Cross-validating" in page.text
    again = client.post("/model/train", follow_redirects=True)
    assert "already running" in again.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(TrainingJob.id))) == 1


def test_a_job_whose_process_died_is_shown_as_failed(app, client, manager):
    from datetime import timedelta

    with app.app_context():
        job = TrainingJob(status=JobStatus.RUNNING, heartbeat_at=utcnow() - timedelta(hours=1))
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    page = client.get(f"/model/jobs/{job_id}")
    assert "Failed" in page.text and "stopped without finishing" in page.text


def test_a_background_job_with_too_little_history_fails_with_the_reason(app, client, manager):
    with app.app_context():
        make_history(reps=12, pool=0)
    response = client.post("/model/train")
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    wait_for_job(job_id)
    page = client.get(f"/model/jobs/{job_id}")
    assert "Failed" in page.text and "30" in page.text


def test_pages_show_the_model_its_figures_and_each_candidates_fit(app, trained, client, manager):
    page = client.get("/model/")
    assert page.status_code == 200
    for text in (
        "version 1",
        "Always the most common tier",
        "Mean of ratings",
        "Rank correlation",
        "A-players in the top 20 %",
        "<svg",
        "Calibration table",
        "What the model relies on",
        "Coachability",
        "Whose ratings predict anything",
        "Rater 0",
        "Training history",
        "Advice, not a decision",
        "coachability.spread",
    ):
        assert text in page.text, text

    page = client.get(f"/candidates/{trained['pool'][0]}")
    assert "Predicted fit" in page.text
    assert "Pushes fit up" in page.text and "Pulls fit down" in page.text
    assert "certainty" in page.text
    assert "Advice, not a decision" in page.text
    assert "Scored by model version 1" in page.text
    unseen = client.get(f"/candidates/{trained['unseen']}")
    assert "Not interviewed yet" in unseen.text
    assert "Expected fit" not in unseen.text

    with app.app_context():
        best = db.session.scalars(db.select(CandidateScore).order_by(CandidateScore.score.desc())).first()
        best_name = db.session.get(Candidate, best.candidate_id).name
    page = client.get("/candidates/?sort=-fit")
    first_row = page.text.split("<tbody>")[1].split("</tr>")[0]
    assert best_name in first_row
    unscored = client.get("/candidates/?fit=unscored")
    assert "Not Interviewed" in unscored.text and "Prospect 0" not in unscored.text
    assert "Advice, not a decision" in page.text


def test_submitting_a_scorecard_scores_the_candidate_with_the_active_model(app, trained, client):
    with app.app_context():
        interviewer = make_user(Role.INTERVIEWER)
        candidate_id = trained["unseen"]
        card_id = make_scorecard(candidate_id, interviewer.id, {"coachability": 5, "drive": 5}, submitted=False)
        card = db.session.get(Scorecard, card_id)
        form = {f"rating_{r.trait_id}": str(r.score) for r in card.ratings}
        form.update(action="submit", recommendation="yes", version=str(card.version))
    sign_in_as(client, interviewer)
    response = client.post(f"/interviews/scorecards/{card_id}", data=form)
    assert response.status_code == 302, response.text
    with app.app_context():
        score = db.session.get(CandidateScore, candidate_id)
        assert score is not None and score.model_version.number == 1


def test_a_tampered_model_file_makes_the_model_unavailable_not_the_pages(app, trained, client, manager):
    with app.app_context():
        version = db.session.scalars(db.select(ModelVersion)).one()
        path = Path(app.instance_path) / "models" / version.file_name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    page = client.get("/model/")
    assert page.status_code == 200 and "unavailable" in page.text
    with app.app_context():
        assert ranking.rank_candidates([trained["pool"][0]]) == 0
        db.session.commit()
    candidate = client.get(f"/candidates/{trained['pool'][0]}")
    assert candidate.status_code == 200
    assert "unavailable" in candidate.text and "Expected fit" not in candidate.text


def test_admins_can_activate_an_earlier_version(app, trained, client, runner):
    assert runner.invoke(args=["train"]).exit_code == 0
    with app.app_context():
        manager = make_user(Role.MANAGER)
        admin = make_user(Role.ADMIN)
    sign_in_as(client, manager)
    assert client.post("/model/versions/1/activate").status_code == 403
    sign_in_as(client, admin)
    response = client.post("/model/versions/1/activate", follow_redirects=True)
    assert "Model version 1 is now active" in response.text
    with app.app_context():
        active = db.session.scalars(db.select(ModelVersion).where(ModelVersion.active.is_(True))).one()
        assert active.number == 1
        assert {s.model_version_id for s in db.session.scalars(db.select(CandidateScore))} == {active.id}
    assert "version 2" in client.get("/model/versions/2").text
    assert client.get("/model/versions/99").status_code == 404


def test_reps_are_judged_by_results_so_a_new_hire_loses_the_predicted_fit(app, trained, client, manager):
    rep_page = client.get(f"/candidates/{trained['reps'][0]}")
    assert "Hired: a rep is judged by their results" in rep_page.text and "Expected fit" not in rep_page.text
    prospect = trained["pool"][0]
    with app.app_context():
        assert db.session.get(CandidateScore, prospect) is not None
    response = client.post(f"/reps/hire/{prospect}", data={"hired_on": utcnow().date().isoformat()})
    assert response.status_code == 302, response.text
    with app.app_context():
        assert db.session.get(CandidateScore, prospect) is None
        assert ranking.rank_candidates() == len(trained["pool"]) - 1


def test_stored_reasons_are_the_json_of_the_predictions_reasons():
    up = [
        Reason("drive", "Drive ✓", 12.345, "4.5 (2 ratings)"),
        Reason("interviews", "Interviews", 0.55, "3 interviews"),
    ]
    down = [Reason("rec", 'Say "no"', -7.04, "1 no")]
    prediction = Prediction(7, 0.5, 0.3, 0.2, 65.0, "A", "low", ["only one interview"], up, down, 1)
    expected = {
        "up": [
            {"key": "drive", "label": "Drive ✓", "effect": round(12.345, 1), "value": "4.5 (2 ratings)"},
            {"key": "interviews", "label": "Interviews", "effect": round(0.55, 1), "value": "3 interviews"},
        ],
        "down": [{"key": "rec", "label": 'Say "no"', "effect": round(-7.04, 1), "value": "1 no"}],
        "certainty": ["only one interview"],
    }
    text = ranking.ReasonsText()
    assert text(prediction) == json.dumps(expected)
    assert text(prediction) == json.dumps(expected)  # the second time from the cached pieces
