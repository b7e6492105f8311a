"""Voluntary self-identification: the admins' pages, the import, merging, and that nobody else can reach it."""

import pytest
from flask import url_for

from hiring.merge import merge_candidates
from hiring.ranking import rank_candidates
from models import (
    Application,
    AuditEntry,
    Candidate,
    CandidateScore,
    DisabilityStatus,
    Hire,
    ModelVersion,
    RaceEthnicity,
    Role,
    ScorecardTemplate,
    SelfIdentification,
    Sex,
    Trait,
    User,
    VeteranStatus,
    db,
    utcnow,
)
from tests.factories import make_candidate, make_opening, make_scorecard, make_user, sign_in_as
from tests.fit_history import make_history

# Answers nobody but an admin may ever see, each label distinctive enough to search every page for.
DISTINCTIVE = {
    "sex": Sex.NON_BINARY,
    "race_ethnicity": RaceEthnicity.NATIVE_HAWAIIAN_PACIFIC,
    "veteran": VeteranStatus.PROTECTED,
    "disability": DisabilityStatus.YES,
}
LABELS = [answer.label for answer in DISTINCTIVE.values()]  # "Non-binary", "Native Hawaiian or ...", ...
FORM_VALUES = {name: answer.value for name, answer in DISTINCTIVE.items()}


def answers(app, candidate_id: int) -> dict | None:
    with app.app_context():
        row = db.session.get(SelfIdentification, candidate_id)
        if row is None:
            return None
        names = ("sex", "race_ethnicity", "veteran", "disability", "source")
        return {name: getattr(row, name) for name in names}


def audit(app, action: str) -> list[dict]:
    with app.app_context():
        return [e.details for e in db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action))]


def give_answers(candidate_id: int, **values) -> None:
    """Store a candidate's answers (inside an app context)."""
    db.session.add(SelfIdentification(candidate_id=candidate_id, **{**DISTINCTIVE, **values}))
    db.session.commit()


@pytest.fixture
def world(app):
    """Users of every role; Kai (distinctive answers, in an opening, with an interview), a rep with the same
    answers, and Lee without any. Returns their ids."""
    with app.app_context():
        admin = make_user(Role.ADMIN, name="Ada Admin")
        manager = make_user(Role.MANAGER, name="Max Manager")
        interviewer = make_user(Role.INTERVIEWER, name="Ivy Interviewer")
        kai = make_candidate(name="Kai Nakoa", email="kai@example.org", external_id="ATS-7", company="Globex")
        rep = make_candidate(name="Rae Palakiko", email="rae@example.org")
        lee = make_candidate(name="Lee Park", email="lee@example.org")
        opening = make_opening()
        db.session.add(Application(candidate_id=kai.id, opening_id=opening.id, stage="new"))
        db.session.add(Hire(candidate_id=rep.id, hired_on=utcnow().date(), role="AE"))
        db.session.commit()
        card = make_scorecard(kai.id, interviewer.id, {"coachability": 4}, submitted=False)
        give_answers(kai.id)
        give_answers(rep.id)
        ids = {
            "admin": admin,
            "manager": manager,
            "interviewer": interviewer,
            "kai": kai.id,
            "rep": rep.id,
            "lee": lee.id,
            "opening": opening.id,
            "scorecard": card,
            "hire": db.session.scalar(db.select(Hire.id)),
            "template": db.session.scalar(db.select(ScorecardTemplate.id)),
            "trait": db.session.scalar(db.select(Trait.id)),
        }
    return ids


def eeo_routes(app) -> list:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("eeo.")]


def url_of(app, rule, world) -> str | None:
    """The rule's URL with its arguments filled from the world, or None if one cannot be filled."""
    values = {
        "candidate_id": world["kai"],
        "other_id": world["rep"],
        "opening_id": world["opening"],
        "scorecard_id": world["scorecard"],
        "hire_id": world["hire"],
        "template_id": world["template"],
        "trait_id": world["trait"],
        "user_id": world["manager"].id,
    }
    if not rule.arguments <= values.keys():
        return None
    with app.test_request_context():
        return url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})


# Access ------------------------------------------------------------------------


def test_every_eeo_route_is_for_admins_only(app, client, world):
    rules = eeo_routes(app)
    assert {rule.endpoint for rule in rules} >= {"eeo.overview", "eeo.edit", "eeo.remove"}
    for rule in rules:
        url = url_of(app, rule, world)
        assert url is not None, f"{rule.endpoint}: cannot fill its arguments, so it would go untested"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            client.post("/sign-out")
            anonymous = client.open(url, method=method)
            assert anonymous.status_code == 302 and "/sign-in" in anonymous.location, (rule.endpoint, method)
            for role in ("manager", "interviewer"):
                sign_in_as(client, world[role])
                refused = client.open(url, method=method, data=FORM_VALUES)
                assert refused.status_code == 403, (rule.endpoint, method, role)
    assert answers(app, world["kai"])["race_ethnicity"] is RaceEthnicity.NATIVE_HAWAIIAN_PACIFIC  # nothing changed
    assert audit(app, "eeo.recorded") == audit(app, "eeo.removed") == []


@pytest.mark.parametrize("role", ["manager", "interviewer"])
def test_no_page_export_or_search_shows_the_answers_to_anyone_but_admins(app, client, world, role):
    """Crawl every GET route the app has, as a manager and as Kai's interviewer: no answer appears anywhere."""
    sign_in_as(client, world[role])
    skipped, statuses = [], {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        url = url_of(app, rule, world)
        if url is None:
            skipped.append(rule.endpoint)
            continue
        response = client.get(url)
        statuses[rule.endpoint] = response.status_code
        body = response.get_data(as_text=True)
        for label in LABELS:
            assert label not in body, f"{rule.endpoint} shows “{label}” to a {role}"
    assert not [endpoint for endpoint in skipped if endpoint.startswith("eeo.")]
    # The crawl saw the pages that matter, as the role sees them.
    seen = {endpoint for endpoint, status in statuses.items() if status == 200}
    if role == "manager":
        expected = {"candidates.detail", "candidates.edit", "candidates.export", "candidates.index", "openings.board"}
        assert expected | {"reps.detail", "merge.merge", "fit.index"} <= seen, statuses
    else:
        assert {"interviews.scorecard", "interviews.mine"} <= seen, statuses
    assert len(statuses) > 30
    # Search and export find nobody by their answers.
    for query in ("Hawaiian", "Pacific", "veteran", "disability", "binary"):
        for endpoint in ("candidates.index", "candidates.export"):
            body = client.get(url_for_app(app, endpoint, q=query)).get_data(as_text=True)
            assert "Kai Nakoa" not in body and "Rae Palakiko" not in body


def url_for_app(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def test_even_admins_see_the_answers_only_on_the_self_identification_pages(app, client, world):
    sign_in_as(client, world["admin"])
    for endpoint, values in (
        ("candidates.detail", {"candidate_id": world["kai"]}),
        ("candidates.edit", {"candidate_id": world["kai"]}),
        ("candidates.export", {}),
        ("candidates.index", {"q": "Hawaiian"}),
        ("reps.detail", {"hire_id": world["hire"]}),
    ):
        response = client.get(url_for_app(app, endpoint, **values))
        assert response.status_code == 200, endpoint
        assert not [label for label in LABELS if label in response.text], endpoint
    export = client.get(url_for_app(app, "candidates.export")).text
    assert "Kai Nakoa" in export and "Self-identification" not in export
    # The candidate page links to the answers, for admins only.
    link = url_for_app(app, "eeo.edit", candidate_id=world["kai"])
    assert link in client.get(url_for_app(app, "candidates.detail", candidate_id=world["kai"])).text
    page = client.get(link)
    assert page.status_code == 200 and all(label in page.text for label in LABELS)
    sign_in_as(client, world["manager"])
    assert link not in client.get(url_for_app(app, "candidates.detail", candidate_id=world["kai"])).text


# The admin pages ---------------------------------------------------------------


def test_an_admin_records_changes_and_removes_answers_audited_without_the_values(app, client, world):
    sign_in_as(client, world["admin"])
    url = url_for_app(app, "eeo.edit", candidate_id=world["lee"])
    page = client.get(url)
    assert page.status_code == 200
    assert "has not answered" in page.text and "Voluntary" in page.text
    assert "the fit model never uses them" in page.text

    saved = client.post(
        url, data={"sex": "female", "race_ethnicity": "hispanic_latino", "veteran": "", "disability": ""}
    )
    assert saved.status_code == 302 and saved.location == url
    assert answers(app, world["lee"]) == {
        "sex": Sex.FEMALE,
        "race_ethnicity": RaceEthnicity.HISPANIC_LATINO,
        "veteran": None,
        "disability": None,
        "source": "form",
    }
    page = client.get(url).text
    assert "Hispanic or Latino" in page and "Not asked" in page and "Remove answers" in page

    changed = client.post(url, data={**FORM_VALUES, "sex": "not_said"})
    assert changed.status_code == 302
    assert answers(app, world["lee"])["sex"] is Sex.NOT_SAID
    assert answers(app, world["lee"])["disability"] is DisabilityStatus.YES

    removed = client.post(url_for_app(app, "eeo.remove", candidate_id=world["lee"]))
    assert removed.status_code == 302 and answers(app, world["lee"]) is None
    assert audit(app, "eeo.recorded") == [{"source": "form"}, {"source": "form"}]
    assert audit(app, "eeo.removed") == [{"source": "form"}]
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action.like("eeo.%"))).all()
        assert {(e.target_type, e.target_id) for e in entries} == {("Candidate", str(world["lee"]))}
    # Removing again says there is nothing to remove.
    again = client.post(url_for_app(app, "eeo.remove", candidate_id=world["lee"]), follow_redirects=True)
    assert "no self-identification to remove" in again.text


@pytest.mark.parametrize(
    "data",
    [
        {"sex": "robot", "race_ethnicity": "white"},
        {"sex": "female", "race_ethnicity": "martian"},
        {"sex": "female", "race_ethnicity": "white", "veteran": "general"},
        {"sex": "", "race_ethnicity": "white"},
    ],
)
def test_bad_answers_are_refused_and_the_form_shown_again(app, client, world, data):
    sign_in_as(client, world["admin"])
    response = client.post(url_for_app(app, "eeo.edit", candidate_id=world["lee"]), data=data)
    assert response.status_code == 400
    assert "is-invalid" in response.text
    assert answers(app, world["lee"]) is None and audit(app, "eeo.recorded") == []


def test_unknown_candidates_are_not_found(client, world, app):
    sign_in_as(client, world["admin"])
    assert client.get(url_for_app(app, "eeo.edit", candidate_id=999_999)).status_code == 404
    assert client.post(url_for_app(app, "eeo.remove", candidate_id=999_999)).status_code == 404


def test_the_overview_counts_answers_without_naming_anyone(app, client, world):
    with app.app_context():
        give_answers(world["lee"], sex=Sex.FEMALE, race_ethnicity=RaceEthnicity.WHITE, veteran=None, disability=None)
    sign_in_as(client, world["admin"])
    page = client.get(url_for_app(app, "eeo.overview"))
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "<strong>3</strong> of 3 candidates answered (100 %)" in text
    assert '<td>Non-binary</td><td class="text-end">2</td>' in text
    assert '<td>Female</td><td class="text-end">1</td>' in text
    assert '<td>Native Hawaiian or Other Pacific Islander</td><td class="text-end">2</td>' in text
    assert '<td>Not asked</td><td class="text-end">1</td>' in text
    assert not [name for name in ("Kai Nakoa", "Rae Palakiko", "Lee Park") if name in page.text]


# Import ------------------------------------------------------------------------

HEADER = "candidate_ref,sex,race_ethnicity,veteran,disability\n"


def run(runner, tmp_path, text, *args):
    path = tmp_path / "eeo.csv"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["import", "eeo", str(path), *args])


def test_import_takes_values_or_labels_in_any_case_and_blanks_as_not_said(app, runner, tmp_path, world):
    text = HEADER + "ATS-7, FEMALE , hispanic or  LATINO,,\nLEE@example.org,non-binary,,Protected veteran,no\n"
    text += "rae@example.org,,,,\n"
    result = run(runner, tmp_path, text)
    assert result.exit_code == 0, result.output
    assert "Imported self-identification: 1 new, 2 updated, 0 unchanged." in result.output
    assert not [word for word in ("Hispanic", "Female", "Non-binary", "veteran", "Hawaiian") if word in result.output]
    assert answers(app, world["kai"]) == {
        "sex": Sex.FEMALE,
        "race_ethnicity": RaceEthnicity.HISPANIC_LATINO,
        "veteran": VeteranStatus.PROTECTED,  # blank optional cells keep what is stored
        "disability": DisabilityStatus.YES,
        "source": "import",
    }
    assert answers(app, world["lee"]) == {
        "sex": Sex.NON_BINARY,
        "race_ethnicity": RaceEthnicity.NOT_SAID,
        "veteran": VeteranStatus.PROTECTED,
        "disability": DisabilityStatus.NO,
        "source": "import",
    }
    assert answers(app, world["rep"])["sex"] is Sex.NOT_SAID
    assert answers(app, world["rep"])["race_ethnicity"] is RaceEthnicity.NOT_SAID
    details = audit(app, "eeo.imported")
    assert details == [
        {"rows": 3, "created": 1, "updated": 2, "unchanged": 0, "skipped": 0, "warnings": 0, "via": "command line"}
    ]

    # Importing again updates, never duplicates.
    again = run(runner, tmp_path, HEADER + "ATS-7,male,white,,\nlee@example.org,non_binary,not_said,protected,no\n")
    assert again.exit_code == 0, again.output
    assert "Imported self-identification: 0 new, 1 updated, 1 unchanged." in again.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SelfIdentification)) == 3
    assert answers(app, world["kai"])["race_ethnicity"] is RaceEthnicity.WHITE


def test_import_reports_problems_by_line_and_column_and_imports_nothing(app, runner, tmp_path, world):
    text = HEADER + "ATS-7,F3male,white,,\nnobody@example.org,female,white,,\nlee@example.org,male,Latinx,,\n"
    text += "lee@example.org,male,white,maybe,\n"
    result = run(runner, tmp_path, text)
    assert result.exit_code == 1
    output = result.output
    assert (
        "Line 2, sex (column B): Not an answer Bench knows for sex. Use one of: Female, Male, Non-binary, "
        "Prefer not to say." in output
    )
    assert "Line 3, candidate_ref (column A): No candidate has the external id or e-mail “nobody@example.org”" in output
    assert "Line 4, race_ethnicity (column C): Not an answer Bench knows for race_ethnicity. Use one of: " in output
    assert "Hispanic or Latino, White, Black or African American" in output
    assert "Line 5, veteran (column D): Not an answer Bench knows for veteran." in output
    assert "Lines 4 and 5 are about the same candidate. Keep one of them." in output
    assert "Nothing was imported" in output
    # The cells themselves are never repeated: even a misspelt answer says something about a person.
    assert not [cell for cell in ("F3male", "Latinx", "maybe") if cell in output]
    assert answers(app, world["lee"]) is None
    assert answers(app, world["kai"])["sex"] is Sex.NON_BINARY
    assert audit(app, "eeo.imported") == []


def test_import_with_skip_invalid_imports_the_good_rows(app, runner, tmp_path, world):
    text = HEADER + "ATS-7,robot,white,,\nlee@example.org,female,asian,,\n"
    result = run(runner, tmp_path, text, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Line 2, sex (column B)" in result.output
    assert "Imported self-identification: 1 new, 0 updated, 0 unchanged." in result.output
    assert answers(app, world["lee"])["race_ethnicity"] is RaceEthnicity.ASIAN
    assert answers(app, world["kai"])["sex"] is Sex.NON_BINARY  # the bad row left Kai's answers alone
    assert audit(app, "eeo.imported")[0]["skipped"] == 1


def test_import_needs_its_columns(runner, tmp_path, world):
    result = run(runner, tmp_path, "candidate_ref,sex\nATS-7,female\n")
    assert result.exit_code == 1
    assert "The file needs the column(s) race_ethnicity." in result.output


# Merging -----------------------------------------------------------------------


def test_a_merge_keeps_the_survivors_answers_else_takes_the_others(app, world):
    with app.app_context():
        admin = db.session.get(User, world["admin"].id)
        give_answers(world["lee"], sex=Sex.FEMALE, race_ethnicity=RaceEthnicity.WHITE, veteran=None, disability=None)
        # Both answered: the survivor keeps its own, the other's are deleted with it.
        merge_candidates(db.session.get(Candidate, world["kai"]), db.session.get(Candidate, world["lee"]), {}, admin)
        db.session.commit()
        rows = db.session.scalars(db.select(SelfIdentification)).all()
        assert {(row.candidate_id, row.sex) for row in rows} == {
            (world["kai"], Sex.NON_BINARY),
            (world["rep"], Sex.NON_BINARY),
        }

        # Only the merged record answered: the survivor takes its answers.
        survivor = make_candidate(name="Sam Survivor")
        merge_candidates(db.session.get(Candidate, survivor.id), db.session.get(Candidate, world["kai"]), {}, admin)
        db.session.commit()
        taken = db.session.get(SelfIdentification, survivor.id)
        assert taken is not None and taken.race_ethnicity is RaceEthnicity.NATIVE_HAWAIIAN_PACIFIC
        assert db.session.get(SelfIdentification, world["kai"]) is None
        assert db.session.scalar(db.select(db.func.count()).select_from(SelfIdentification)) == 2


# Never a model feature -----------------------------------------------------------


def test_answers_are_never_a_model_feature(app, runner):
    with app.app_context():
        history = make_history(pool=12)
    result = runner.invoke(args=["train"])
    assert result.exit_code == 0, result.output
    everyone = history["reps"] + history["pool"] + [history["unseen"]]

    def scores():
        with app.app_context():
            rank_candidates()
            db.session.commit()
            rows = db.session.scalars(db.select(CandidateScore).order_by(CandidateScore.candidate_id))
            return [(r.candidate_id, r.p_a, r.p_b, r.p_c, r.score, r.predicted_tier, r.reasons) for r in rows]

    before = scores()
    assert len(before) == 12
    races, sexes = list(RaceEthnicity), list(Sex)
    for turn in range(2):
        with app.app_context():
            db.session.execute(db.delete(SelfIdentification))
            for number, candidate_id in enumerate(everyone):
                values = {
                    "sex": sexes[(number + turn) % len(sexes)],
                    "race_ethnicity": races[(number * 3 + turn) % len(races)],
                    "veteran": list(VeteranStatus)[(number + turn) % 3],
                    "disability": list(DisabilityStatus)[(number + 2 * turn) % 3],
                }
                db.session.add(SelfIdentification(candidate_id=candidate_id, **values))
            db.session.commit()
        assert scores() == before
    with app.app_context():
        version = db.session.scalars(db.select(ModelVersion)).one()
        words = ("sex", "race", "ethnic", "hispanic", "veteran", "disab", "eeo", "self_ident", "gender")
        assert not [f for f in version.features if any(word in f.lower() for word in words)]
