"""The adverse-impact audit in the app: gate on activation, admin page, downloads, command, model card, event log."""

import csv
import io
import json

import pytest

from hiring.fairness_data import decision_outcomes
from models import (
    Application,
    AuditEntry,
    CandidateScore,
    Decision,
    DecisionKind,
    ModelVersion,
    RaceEthnicity,
    Role,
    SelfIdentification,
    Sex,
    StageMove,
    db,
)
from tests.factories import make_candidate, make_opening, make_user, sign_in_as
from tests.fit_history import make_history
from tests.snapshots import Snapshot, build_snapshot, restore_snapshot

ACKNOWLEDGEMENT = "Reviewed the flagged groups with legal; the sample is synthetic test data, activating on purpose."


def model_version(number: int) -> ModelVersion:
    return db.session.scalar(db.select(ModelVersion).where(ModelVersion.number == number))


def train_a_biased_version(app) -> dict:
    """Version 1 trained before anyone self-identified; then the best-scored half says Male, the rest Female,
    and version 2 is trained: its ranking selects women far less often. Return the history's ids."""
    runner = app.test_cli_runner()
    with app.app_context():
        history = make_history(pool=40)
    assert runner.invoke(args=["train"]).exit_code == 0
    with app.app_context():
        scores = db.session.scalars(db.select(CandidateScore).order_by(CandidateScore.score.desc())).all()
        for number, score in enumerate(scores):
            sex = Sex.MALE if number < len(scores) // 2 else Sex.FEMALE
            db.session.add(
                SelfIdentification(candidate_id=score.candidate_id, sex=sex, race_ethnicity=RaceEthnicity.WHITE)
            )
        db.session.commit()
    result = runner.invoke(args=["train"])
    assert result.exit_code == 0, result.output
    return history


@pytest.fixture(scope="module")
def biased_snapshot(migrated_database, tmp_path_factory) -> tuple[Snapshot, dict]:
    """The biased versions, trained once for the module (training twice takes seconds)."""
    return build_snapshot(migrated_database, tmp_path_factory.mktemp("biased"), train_a_biased_version)


@pytest.fixture
def biased(app, biased_snapshot) -> dict:
    """The test's database holds the two versions of ``train_a_biased_version``; return the history's ids."""
    snapshot, history = biased_snapshot
    restore_snapshot(app, snapshot)
    return history


@pytest.fixture
def admin(app, client):
    with app.app_context():
        user = make_user(Role.ADMIN)
    sign_in_as(client, user)
    return user


def test_a_version_whose_audit_flags_a_group_is_trained_but_not_activated(app, biased, runner):
    with app.app_context():
        first, second = model_version(1), model_version(2)
        assert first.active and not second.active
        flags = [flag for flag in second.audit["flags"] if flag["group"] == "Female"]
        assert {flag["analysis"] for flag in flags} >= {"top_n", "scoring_rate"}
        assert all(flag["impact_ratio"] < 0.8 for flag in flags)
        assert first.audit["flags"] == []  # nobody had self-identified yet: nothing to flag


def test_the_command_says_the_flagged_version_was_not_activated(app, biased, runner):
    result = runner.invoke(args=["train"])
    assert result.exit_code == 0
    assert "not activated" in result.output
    assert "acknowledgement" in result.output


def test_activation_of_a_flagged_version_needs_a_written_acknowledgement(app, client, biased, admin):
    page = client.get("/model/versions/2")
    assert "Not active: its adverse-impact audit flags" in page.text
    assert "Acknowledge and activate version 2" in page.text

    refused = client.post("/model/versions/2/activate", data={"acknowledgement": "ok"})
    assert refused.status_code == 400
    assert "Write at least 40 characters" in refused.text
    assert "\nok</textarea>" in refused.text  # what was typed is kept
    with app.app_context():
        assert not model_version(2).active

    response = client.post("/model/versions/2/activate", data={"acknowledgement": ACKNOWLEDGEMENT})
    assert response.status_code == 302
    with app.app_context():
        version = model_version(2)
        assert version.active and not model_version(1).active
        assert version.acknowledgement == ACKNOWLEDGEMENT
        assert version.acknowledged_by_id == admin.id
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "model.acknowledged"))
        assert entry.target_id == str(version.id) and entry.actor_id == admin.id
        assert ACKNOWLEDGEMENT not in json.dumps(entry.details)
    card = client.get("/model/versions/2/card")
    assert ACKNOWLEDGEMENT in card.text


def test_an_acknowledged_version_can_be_reactivated_without_a_second_acknowledgement(app, client, biased, admin):
    client.post("/model/versions/2/activate", data={"acknowledgement": ACKNOWLEDGEMENT})
    client.post("/model/versions/1/activate")
    assert client.post("/model/versions/2/activate").status_code == 302
    with app.app_context():
        assert model_version(2).active


def test_managers_see_the_flags_but_cannot_activate(app, client, biased):
    with app.app_context():
        sign_in_as(client, make_user(Role.MANAGER))
    page = client.get("/model/versions/2")
    assert "Is it fair? Adverse-impact audit" in page.text
    assert "under the four-fifths rule" in page.text  # the summary
    assert "Female" not in page.text  # small groups could point to a person: admins only
    assert "Acknowledge and activate" not in page.text
    assert client.post("/model/versions/2/activate", data={"acknowledgement": ACKNOWLEDGEMENT}).status_code == 403


def test_the_audit_page_is_for_admins_only(app, client, biased):
    for role in (Role.MANAGER, Role.INTERVIEWER):
        with app.app_context():
            sign_in_as(client, make_user(role))
        assert client.get("/admin/fairness/").status_code == 403
        assert client.get("/admin/fairness/report.json").status_code == 403
        client.post("/sign-out")
    assert client.get("/admin/fairness/").status_code == 302  # anonymous: sign in first


def test_the_admin_page_audits_any_version_and_compares_the_decisions(app, client, biased, admin):
    page = client.get("/admin/fairness/", query_string={"version": 2, "top": 5})
    assert page.status_code == 200
    assert "The model’s ranking" in page.text and "Decisions people made" in page.text
    assert "Female" in page.text and "flag" in page.text
    assert "the best 5" in page.text
    assert client.get("/admin/fairness/", query_string={"version": 1}).status_code == 200
    assert client.get("/admin/fairness/", query_string={"version": 99}).status_code == 400
    assert client.get("/admin/fairness/", query_string={"top": "0"}).status_code == 400
    with app.app_context():
        audited = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "model.audited")).all()
        assert any(entry.actor_id == admin.id for entry in audited)


def test_the_audit_downloads_as_json_csv_and_html(app, client, biased, admin):
    report = client.get("/admin/fairness/report.json", query_string={"version": 2})
    assert report.headers["Content-Disposition"] == 'attachment; filename="bench-audit-v2.json"'
    data = report.get_json()
    assert data["scope"]["model_version"] == 2
    assert any(flag["group"] == "Female" for flag in data["flags"])

    table = client.get("/admin/fairness/report.csv", query_string={"version": 2})
    rows = list(csv.DictReader(io.StringIO(table.text.lstrip("\ufeff"))))
    female = [r for r in rows if r["analysis"] == "top_n" and r["dimension"] == "sex" and r["group"] == "Female"]
    assert len(female) == 1 and female[0]["flag"] == "True"

    page = client.get("/admin/fairness/report.html", query_string={"version": 2})
    assert page.text.startswith("<!doctype html>") and "Female" in page.text
    assert client.get("/admin/fairness/report.xml").status_code == 404
    with app.app_context():
        exported = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "model.audit_exported")).all()
        assert sorted(entry.details["format"] for entry in exported) == ["csv", "html", "json"]


def test_the_audit_of_one_opening_counts_only_its_candidates(app, client, biased, admin):
    with app.app_context():
        opening = make_opening()
        for candidate_id in biased["pool"][:10]:
            db.session.add(Application(opening_id=opening.id, candidate_id=candidate_id, stage="screen"))
        db.session.commit()
        opening_id = opening.id
    data = client.get("/admin/fairness/report.json", query_string={"version": 2, "opening": opening_id}).get_json()
    assert data["scope"]["opening_id"] == opening_id
    by_key = {analysis["key"]: analysis for analysis in data["analyses"]}
    assert by_key["predicted_a"]["sample"] == 10
    assert by_key["moved_forward"]["sample"] == 10
    assert client.get("/admin/fairness/", query_string={"opening": 987654}).status_code == 400


def test_the_audit_command_prints_json_csv_and_html(app, runner, biased, tmp_path):
    result = runner.invoke(args=["audit", "--format", "json", "--version", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["scope"]["model_version"] == 2 and data["flags"]

    result = runner.invoke(args=["audit", "--format", "csv"])
    assert result.exit_code == 0
    assert result.output.lstrip("\ufeff").startswith("analysis,analysis_title")

    target = tmp_path / "audit.html"
    result = runner.invoke(args=["audit", "--format", "html", "--version", "2", "--output", str(target)])
    assert result.exit_code == 0
    assert "Female" in target.read_text()

    assert "no model version 7" in runner.invoke(args=["audit", "--version", "7"]).output
    assert "no opening with id 5555" in runner.invoke(args=["audit", "--opening", "5555"]).output


def test_the_audit_command_says_when_there_is_no_model(app, runner):
    result = runner.invoke(args=["audit"])
    assert result.exit_code == 1
    assert "No model has been trained yet" in result.output


def test_decision_outcomes_follow_stages_decisions_and_hires(app):
    with app.app_context():
        opening = make_opening()
        screened, stuck, rejected_late, hired, decided = (make_candidate(name=f"C{n}") for n in range(5))
        stages = {screened: "screen", stuck: "sourced", rejected_late: "rejected", hired: "hired", decided: "sourced"}
        for candidate, stage in stages.items():
            db.session.add(Application(opening_id=opening.id, candidate_id=candidate.id, stage=stage))
        db.session.flush()
        late = db.session.scalar(db.select(Application).where(Application.candidate_id == rejected_late.id))
        db.session.add(StageMove(application_id=late.id, from_stage="screen", to_stage="interviews"))
        db.session.add(StageMove(application_id=late.id, from_stage="interviews", to_stage="rejected"))
        db.session.add(Decision(candidate_id=decided.id, opening_id=opening.id, kind=DecisionKind.FORWARD))
        db.session.commit()
        outcomes = decision_outcomes(opening.id)
        assert outcomes == {
            screened.id: (True, False),
            stuck.id: (False, False),
            rejected_late.id: (True, False),
            hired.id: (True, True),
            decided.id: (True, False),
        }


def test_the_model_card_says_what_the_version_is_for_and_how_it_did(app, client, biased):
    with app.app_context():
        sign_in_as(client, make_user(Role.MANAGER))
    page = client.get("/model/versions/2/card")
    assert page.status_code == 200
    for heading in ("Intended use", "Out-of-scope use", "Training data", "Features", "Metrics", "Calibration",
                    "Adverse-impact audit", "Caveats"):  # fmt: skip
        assert heading in page.text
    assert "60 hired reps" in page.text
    assert "under the four-fifths rule" in page.text and "Female" not in page.text  # groups: admins only
    markdown = client.get("/model/versions/2/card.md")
    assert markdown.headers["Content-Disposition"] == 'attachment; filename="bench-model-card-v2.md"'
    assert markdown.text.startswith("# Model card: Bench fit model, version 2")
    assert "| Rank correlation |" in markdown.text
    assert "by the command line" in markdown.text
    assert client.get("/model/versions/9/card").status_code == 404
    with app.app_context():
        sign_in_as(client, make_user(Role.ADMIN))
    assert "Female" in client.get("/model/versions/2/card").text
    assert "**Female**" in client.get("/model/versions/2/card.md").text
    with app.app_context():
        sign_in_as(client, make_user(Role.INTERVIEWER))
    assert client.get("/model/versions/2/card").status_code == 403


def test_the_event_log_lists_every_model_event_for_admins(app, client, runner, biased, admin):
    assert runner.invoke(args=["rank", "--limit", "3"]).exit_code == 0
    client.get("/admin/fairness/report.json")
    client.get("/model/versions/1/card.md")
    page = client.get("/model/events")
    assert page.status_code == 200
    for action in ("model.trained", "model.audited", "model.activated", "model.ranked", "model.audit_exported",
                   "model.card_exported", "model.ranking_exported"):  # fmt: skip
        assert action in page.text
    assert "user.created" not in page.text
    with app.app_context():
        sign_in_as(client, make_user(Role.MANAGER))
    assert client.get("/model/events").status_code == 403
