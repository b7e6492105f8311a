"""API reads of openings, scorecards, rankings and shortlists: content, roles, object-level checks, paging."""

import csv
import io
import re

import pytest
from jsonschema import Draft202012Validator

from hiring.api_resources import OPENAPI_PATHS, OPENAPI_SCHEMAS
from hiring.export_columns import available_columns
from models import (
    Application,
    AuditEntry,
    OpeningStatus,
    Role,
    Scorecard,
    ScorecardStatus,
    SelfIdentification,
    Shortlist,
    ShortlistEntry,
    User,
    db,
    utcnow,
)
from tests.api.helpers import bearer, make_token
from tests.factories import make_candidate, make_opening, make_scorecard, make_user
from tests.test_eeo import DISTINCTIVE, LABELS
from tests.test_exports import give_score


@pytest.fixture
def world(app):
    """Managers Max and Olga, an admin, interviewers Ivy (interviewed Ada) and Ian (interviews nobody);
    an opening with Ada (scored, at "screen"), Bo (interviewed, unscored) and Cy (not interviewed); shortlists.

    Returns ids and a token per user (read-write; ``ro`` is Max's read-only token).
    """
    with app.app_context():
        max_ = make_user(Role.MANAGER, name="Max Manager")
        olga = make_user(Role.MANAGER, name="Olga Other")
        admin = make_user(Role.ADMIN, name="Ada Admin")
        ivy = make_user(Role.INTERVIEWER, name="Ivy Interviewer")
        ian = make_user(Role.INTERVIEWER, name="Ian Idle")
        opening = make_opening(title="SMB AE", territory="Berlin", stages=["sourced", "screen", "offer"])
        make_opening(title="Closed AE", status=OpeningStatus.CLOSED)
        ada = make_candidate(name="Ada Byron", email="ada@example.org", phone="=1+2")
        bo = make_candidate(name="Bo Chen", email="bo@example.org")
        cy = make_candidate(name="Cy Diaz", email="cy@example.org")
        for candidate, stage in ((ada, "screen"), (bo, "screen"), (cy, "sourced")):
            db.session.add(Application(candidate_id=candidate.id, opening_id=opening.id, stage=stage))
        db.session.commit()
        ivy_card = make_scorecard(
            ada.id, ivy.id, {"coachability": 4, "drive": 3}, recommendation="yes", submitted=False
        )
        admin_card = make_scorecard(ada.id, admin.id, {"coachability": 5, "drive": 2}, recommendation="strong_yes")
        make_scorecard(bo.id, admin.id, {"coachability": 3})
        give_score(ada.id, "A", 0.72, up=[("coachability", "Coachability", 4.1)], down=[("drive", "Drive", -2.0)])
        finalists = Shortlist(name="Finalists", owner_id=max_.id, opening_id=opening.id)
        finalists.entries = [
            ShortlistEntry(candidate_id=cy.id, position=1, comment="Call first"),
            ShortlistEntry(candidate_id=ada.id, position=2, comment="=cmd|' /C calc'!A0"),
        ]
        shared = Shortlist(name="Olga's list", owner_id=olga.id, shared_with=[db.session.get(User, max_.id)])
        shared.entries = [ShortlistEntry(candidate_id=bo.id, position=1)]
        private = Shortlist(name="Olga's private list", owner_id=olga.id)
        db.session.add_all([finalists, shared, private])
        db.session.commit()
        return {
            "max": max_.id, "olga": olga.id, "admin": admin.id, "ivy": ivy.id, "ian": ian.id,
            "opening": opening.id, "ada": ada.id, "bo": bo.id, "cy": cy.id,
            "ivy_card": ivy_card, "admin_card": admin_card,
            "finalists": finalists.id, "shared": shared.id, "private": private.id,
            "tokens": {name: make_token(user) for name, user in
                       (("max", max_), ("olga", olga), ("admin", admin), ("ivy", ivy), ("ian", ian))},
            "ro": make_token(max_, read_only=True),
        }  # fmt: skip


def get(client, world, who, url):
    """GET ``/api/v1`` + url with the token of ``who``."""
    token = world["ro"] if who == "ro" else world["tokens"][who]
    return client.get("/api/v1" + url, headers=bearer(token))


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


# Roles ---------------------------------------------------------------------------------------


MANAGER_ONLY = [
    "/openings",
    "/openings/{opening}",
    "/openings/{opening}/ranking",
    "/candidates/{ada}/ranking",
    "/shortlists",
    "/shortlists/{finalists}",
    "/shortlists/{finalists}/export",
]


@pytest.mark.parametrize("url", MANAGER_ONLY)
def test_interviewers_are_refused_where_the_pages_refuse_them(client, world, url):
    response = get(client, world, "ivy", url.format(**world))
    assert response.status_code == 403
    assert error_code(response) == "forbidden"


@pytest.mark.parametrize("url", [*MANAGER_ONLY, "/candidates/{ada}/scorecards"])
def test_a_read_only_token_reads_everything(client, world, url):
    response = get(client, world, "ro", url.format(**world))
    assert response.status_code == 200


@pytest.mark.parametrize("url", [*MANAGER_ONLY, "/candidates/{ada}/scorecards"])
def test_no_token_gets_401(client, world, url):
    response = client.get("/api/v1" + url.format(**world))
    assert response.status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "/openings/999999",
        "/openings/999999/ranking",
        "/candidates/999999/ranking",
        "/candidates/999999/scorecards",
        "/shortlists/999999",
        "/shortlists/999999/export",
        "/openings/99999999999999999999999",
        "/candidates/99999999999999999999999/scorecards",
        "/shortlists/99999999999999999999999/export",
    ],
)
def test_unknown_ids_get_404_as_json(client, world, url):
    response = get(client, world, "admin", url)
    assert response.status_code == 404
    assert error_code(response) == "not_found"


@pytest.mark.parametrize(
    "url", ["/openings", "/openings/{opening}/ranking", "/shortlists", "/candidates/{ada}/scorecards"]
)
@pytest.mark.parametrize(
    ("query", "field"),
    [("page=0", "page"), ("page=x", "page"), ("per_page=201", "per_page"), ("per_page=-1", "per_page")],
)
def test_bad_paging_gets_400_naming_the_parameter(client, world, url, query, field):
    response = get(client, world, "admin", url.format(**world) + "?" + query)
    assert response.status_code == 400
    assert list(response.get_json()["error"]["fields"]) == [field]


# Openings ------------------------------------------------------------------------------------


def test_openings_are_listed_with_counts_filtered_and_paged(client, world):
    body = get(client, world, "max", "/openings").get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 50
    smb = next(item for item in body["items"] if item["id"] == world["opening"])
    assert smb == {
        "id": world["opening"], "title": "SMB AE", "territory": "Berlin", "segment": None, "headcount": 1,
        "status": "open", "stages": ["sourced", "screen", "offer"], "hiring_manager_id": None,
        "candidates_by_stage": {"sourced": 1, "screen": 2, "offer": 0}, "candidates_total": 3,
        "created_at": smb["created_at"], "updated_at": smb["updated_at"],
    }  # fmt: skip
    assert smb["created_at"].endswith("+00:00")
    closed = get(client, world, "max", "/openings?status=closed").get_json()
    assert [item["title"] for item in closed["items"]] == ["Closed AE"]
    paged = get(client, world, "max", "/openings?per_page=1&page=2").get_json()
    assert len(paged["items"]) == 1 and paged["total"] == 2 and paged["page"] == 2
    beyond = get(client, world, "max", "/openings?page=9").get_json()
    assert beyond["items"] == [] and beyond["total"] == 2


def test_an_unknown_status_filter_gets_400(client, world):
    response = get(client, world, "max", "/openings?status=maybe")
    assert response.status_code == 400
    assert "status" in response.get_json()["error"]["fields"]


def test_one_opening(client, world):
    body = get(client, world, "admin", f"/openings/{world['opening']}").get_json()
    assert body["title"] == "SMB AE" and body["candidates_by_stage"]["screen"] == 2


# Scorecards and the independence rule -------------------------------------------------------


def test_managers_see_every_submitted_scorecard(client, world):
    body = get(client, world, "max", f"/candidates/{world['ada']}/scorecards").get_json()
    assert body["total"] == 1 and body["withheld"] is False  # Ivy's is still a draft
    (card,) = body["items"]
    assert card["id"] == world["admin_card"]
    assert card["interviewer"] == {"id": world["admin"], "name": "Ada Admin"}
    assert card["recommendation"] == "strong_yes" and card["submitted_at"].endswith("+00:00")
    ratings = {rating["trait_key"]: rating for rating in card["ratings"]}
    assert ratings["coachability"]["score"] == 5 and ratings["drive"]["score"] == 2
    assert set(ratings["drive"]) == {"trait_key", "trait", "score", "note"}


def test_an_interviewer_sees_colleagues_only_after_submitting_their_own(app, client, world):
    url = f"/candidates/{world['ada']}/scorecards"
    before = get(client, world, "ivy", url)
    assert before.status_code == 200
    assert before.get_json() == {"items": [], "page": 1, "per_page": 50, "total": 0, "withheld": True}
    with app.app_context():
        card = db.session.get(Scorecard, world["ivy_card"])
        card.status, card.submitted_at = ScorecardStatus.SUBMITTED, utcnow()
        db.session.commit()
    after = get(client, world, "ivy", url).get_json()
    assert after["withheld"] is False
    assert {card["id"] for card in after["items"]} == {world["ivy_card"], world["admin_card"]}


def test_an_interviewer_gets_404_for_a_candidate_they_do_not_interview(client, world):
    for who, candidate in (("ian", "ada"), ("ivy", "bo"), ("ivy", "cy")):
        response = get(client, world, who, f"/candidates/{world[candidate]}/scorecards")
        assert response.status_code == 404, (who, candidate)
        assert "Bo Chen" not in response.text and "Ada Admin" not in response.text


def test_scorecards_are_paged(client, world):
    body = get(client, world, "admin", f"/candidates/{world['ada']}/scorecards?per_page=1&page=2").get_json()
    assert body["items"] == [] and body["total"] == 1


# Ranking -------------------------------------------------------------------------------------


def test_a_candidates_stored_fit(client, world):
    body = get(client, world, "max", f"/candidates/{world['ada']}/ranking").get_json()
    assert body["predicted_tier"] == "A" and body["p_a"] == pytest.approx(0.72)
    assert body["certainty"] == "high" and body["model_version"] == 1 and body["score"] == pytest.approx(72)
    assert body["reasons"]["up"] == [{"key": "coachability", "label": "Coachability", "effect": 4.1, "value": None}]
    assert body["reasons"]["down"][0]["label"] == "Drive"
    assert body["computed_at"].endswith("+00:00")


def test_a_candidate_without_a_fit_gets_404_saying_why(client, world):
    not_interviewed = get(client, world, "max", f"/candidates/{world['cy']}/ranking")
    assert not_interviewed.status_code == 404
    assert "nobody has submitted a scorecard" in not_interviewed.get_json()["error"]["message"]
    unscored = get(client, world, "max", f"/candidates/{world['bo']}/ranking")
    assert unscored.status_code == 404
    # The stand-in model version has no file: the message says the model cannot be used.
    assert "interviewed but has no fit" in unscored.get_json()["error"]["message"]


def test_an_openings_ranking_is_best_first_with_the_unscored_count(app, client, world):
    with app.app_context():
        give_score(world["bo"], "B", 0.9)
    body = get(client, world, "max", f"/openings/{world['opening']}/ranking").get_json()
    assert [item["candidate_name"] for item in body["items"]] == ["Bo Chen", "Ada Byron"]
    assert body["total"] == 2 and body["unscored"] == 1
    second = get(client, world, "max", f"/openings/{world['opening']}/ranking?per_page=1&page=2").get_json()
    assert [item["candidate_name"] for item in second["items"]] == ["Ada Byron"] and second["total"] == 2


# Shortlists ----------------------------------------------------------------------------------


def names(response) -> set[str]:
    return {item["name"] for item in response.get_json()["items"]}


def test_shortlists_are_listed_as_the_pages_show_them(client, world):
    assert names(get(client, world, "max", "/shortlists")) == {"Finalists", "Olga's list"}
    assert names(get(client, world, "olga", "/shortlists")) == {"Olga's list", "Olga's private list"}
    assert names(get(client, world, "admin", "/shortlists")) == {"Finalists", "Olga's list", "Olga's private list"}
    paged = get(client, world, "admin", "/shortlists?per_page=2").get_json()
    assert len(paged["items"]) == 2 and paged["total"] == 3


def test_a_shortlist_with_its_entries(client, world):
    body = get(client, world, "max", f"/shortlists/{world['finalists']}").get_json()
    assert body["owner"]["name"] == "Max Manager" and body["size"] == 2 and body["opening_id"] == world["opening"]
    assert [(e["position"], e["candidate_name"], e["comment"]) for e in body["entries"]] == [
        (1, "Cy Diaz", "Call first"), (2, "Ada Byron", "=cmd|' /C calc'!A0"),
    ]  # fmt: skip
    shared = get(client, world, "max", f"/shortlists/{world['shared']}").get_json()
    assert shared["shared_with"] == [{"id": world["max"], "name": "Max Manager"}]


@pytest.mark.parametrize("suffix", ["", "/export", "/export?format=csv"])
def test_another_managers_unshared_list_is_not_there(client, world, suffix):
    response = get(client, world, "max", f"/shortlists/{world['private']}{suffix}")
    assert response.status_code == 404
    assert "Olga" not in response.text
    assert get(client, world, "admin", f"/shortlists/{world['private']}{suffix}").status_code == 200


def export_audits(app) -> list:
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "export.created"))
        return [(e.actor_id, e.target_id, e.details) for e in entries]


def test_a_shortlist_exports_as_json_in_its_order_and_is_audited(app, client, world):
    url = f"/shortlists/{world['finalists']}/export?columns=name&columns=position&columns=tier&columns=comment"
    body = get(client, world, "max", url).get_json()
    assert body["columns"] == [
        {"key": "position", "label": "Position"}, {"key": "comment", "label": "Comment"},
        {"key": "name", "label": "Name"}, {"key": "tier", "label": "Predicted tier"},
    ]  # fmt: skip
    assert body["rows"] == [
        {"position": 1, "comment": "Call first", "name": "Cy Diaz", "tier": None},
        {"position": 2, "comment": "=cmd|' /C calc'!A0", "name": "Ada Byron", "tier": "A"},
    ]
    details = {"source": "shortlist", "format": "json", "rows": 2, "columns": ["position", "comment", "name", "tier"]}
    assert export_audits(app) == [(world["max"], str(world["finalists"]), details)]


def test_the_default_columns_are_the_pages_defaults(client, world):
    body = get(client, world, "max", f"/shortlists/{world['finalists']}/export").get_json()
    keys = [column["key"] for column in body["columns"]]
    assert keys[:4] == ["position", "comment", "name", "email"] and "tier" in keys and "notes" not in keys


def test_a_shortlist_exports_as_a_formula_safe_csv_attachment(app, client, world):
    url = f"/shortlists/{world['finalists']}/export?format=csv&columns=name&columns=phone&columns=comment"
    response = get(client, world, "max", url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="shortlist-finalists-')
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows == [
        ["Comment", "Name", "Phone"],
        ["Call first", "Cy Diaz", ""],
        ["'=cmd|' /C calc'!A0", "Ada Byron", "'=1+2"],
    ]
    assert export_audits(app)[0][2]["format"] == "csv"


@pytest.mark.parametrize(
    ("query", "field"),
    [("format=xlsx", "format"), ("columns=sex", "columns"), ("columns=nope&columns=name", "columns")],
)
def test_a_bad_export_choice_gets_400_and_is_not_audited(app, client, world, query, field):
    response = get(client, world, "max", f"/shortlists/{world['finalists']}/export?{query}")
    assert response.status_code == 400
    assert list(response.get_json()["error"]["fields"]) == [field]
    assert export_audits(app) == []


# Self-identification -------------------------------------------------------------------------


def test_no_self_identification_in_any_answer(app, client, world):
    with app.app_context():
        for candidate in ("ada", "bo", "cy"):
            db.session.add(SelfIdentification(candidate_id=world[candidate], **DISTINCTIVE))
        db.session.commit()
        all_columns = [column.key for column in available_columns(shortlist=True)]
    urls = [url.format(**world) for url in [*MANAGER_ONLY, "/candidates/{ada}/scorecards"]]
    urls.append(f"/shortlists/{world['finalists']}/export?" + "&".join(f"columns={key}" for key in all_columns))
    urls.append(urls[-1] + "&format=csv")
    for url in urls:
        response = get(client, world, "admin", url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert not [label for label in LABELS if label in text], url
        assert not [key for key in ("race", "veteran", "disability", '"sex"') if key in text], url


# The OpenAPI fragment --------------------------------------------------------------------------


def conforms(body, schema_name: str) -> None:
    """Assert that ``body`` matches the module's schema of that name (JSON Schema 2020-12)."""
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": OPENAPI_SCHEMAS}}
    Draft202012Validator.check_schema(root)
    errors = [error.message for error in Draft202012Validator(root).iter_errors(body)]
    assert errors == [], errors


def test_every_answer_matches_its_documented_schema(app, client, world):
    with app.app_context():
        give_score(world["bo"], "B", 0.9)
    checks = [
        ("max", "/openings", "OpeningList"),
        ("max", "/openings/{opening}", "Opening"),
        ("max", "/openings/{opening}/ranking", "RankingList"),
        ("max", "/candidates/{ada}/ranking", "Ranking"),
        ("max", "/candidates/{ada}/scorecards", "ScorecardList"),
        ("ivy", "/candidates/{ada}/scorecards", "ScorecardList"),
        ("max", "/shortlists", "ShortlistList"),
        ("max", "/shortlists/{finalists}", "Shortlist"),
        ("max", "/shortlists/{shared}", "Shortlist"),
    ]
    for who, url, schema in checks:
        response = get(client, world, who, url.format(**world))
        assert response.status_code == 200, url
        conforms(response.get_json(), schema)
    every = "&".join(f"columns={column.key}" for column in available_columns_of(app))
    conforms(
        get(client, world, "max", f"/shortlists/{world['finalists']}/export?{every}").get_json(), "ShortlistExport"
    )


def available_columns_of(app):
    with app.app_context():
        return available_columns(shortlist=True)


def test_the_fragment_documents_exactly_this_modules_routes_and_their_codes(app):
    documented = {(method.upper(), "/api/v1" + path) for path, ops in OPENAPI_PATHS.items() for method in ops}
    routed = {
        (method, re.sub(r"<int:(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if app.view_functions[rule.endpoint].__module__ == "hiring.api_resources"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routed
    for operations in OPENAPI_PATHS.values():
        for operation in operations.values():
            assert {"200", "401", "429"} <= set(operation["responses"])
