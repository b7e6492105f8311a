"""The API's candidate endpoints: list, get, create, update with If-Match, touches; roles, errors, audit."""

import json
from datetime import date

import pytest
import sqlalchemy as sa

from hiring import pool_actions
from hiring.api_candidates import OPENAPI_SCHEMAS, REPRESENTED
from models import AuditEntry, Candidate, PoolStatus, Role, Source, Touch, TouchKind, db
from models.eeo import RaceEthnicity, SelfIdentification, Sex
from tests.api.helpers import bearer, make_token
from tests.factories import make_candidate, make_user


@pytest.fixture
def api(app):
    """A manager's token headers, and the manager."""
    with app.app_context():
        user = make_user(Role.MANAGER, name="Max Manager")
        return bearer(make_token(user)), user


def audit(app, action: str) -> list[AuditEntry]:
    """The audit entries of ``action``, oldest first."""
    with app.app_context():
        query = db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return db.session.scalars(query).all()


def test_list_pages_filters_and_sorts_the_pool(app, client, api):
    headers, _ = api
    with app.app_context():
        for number in range(5):
            make_candidate(name=f"Rep {number}", tags=["saas"] if number % 2 else [], status=PoolStatus.PROSPECT)
        make_candidate(name="Hired Hank", status=PoolStatus.HIRED)
    body = client.get("/api/v1/candidates?sort=name&per_page=2&page=2", headers=headers).get_json()
    assert [c["name"] for c in body["items"]] == ["Rep 1", "Rep 2"]  # after Hired Hank and Rep 0
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 6)
    body = client.get("/api/v1/candidates?tag=saas&sort=-name", headers=headers).get_json()
    assert [c["name"] for c in body["items"]] == ["Rep 3", "Rep 1"] and body["per_page"] == 50
    body = client.get("/api/v1/candidates?status=hired&q=hank", headers=headers).get_json()
    assert [c["name"] for c in body["items"]] == ["Hired Hank"]
    assert client.get("/api/v1/candidates?page=9", headers=headers).get_json()["items"] == []


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("page=0", {"page"}),
        ("page=x", {"page"}),
        ("per_page=201", {"per_page"}),
        ("status=gone", {"status"}),
        ("sort=shoe_size&owner=999", {"sort", "owner"}),
        ("touch=later&per_page=0", {"touch", "per_page"}),
        ("page=1000001", {"page"}),
        ("q=a%00b", {"q"}),
    ],
)
def test_bad_list_parameters_are_a_400_naming_them(app, client, api, query, fields):
    response = client.get(f"/api/v1/candidates?{query}", headers=api[0])
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert set(response.get_json()["error"]["fields"]) == fields


def test_get_has_every_field_a_strong_etag_and_no_self_identification(app, client, api):
    with app.app_context():
        candidate = make_candidate(name="Ada Rep", tags=["saas", "east"], quota_years=4.5, source=Source.EVENT)
        db.session.add(
            SelfIdentification(candidate_id=candidate.id, sex=Sex.FEMALE, race_ethnicity=RaceEthnicity.WHITE)
        )
        db.session.commit()
    response = client.get(f"/api/v1/candidates/{candidate.id}", headers=api[0])
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    body = response.get_json()
    assert set(body) == set(REPRESENTED)
    assert body["tags"] == ["east", "saas"] and body["quota_years"] == 4.5 and body["source"] == "event"
    assert body["status"] == "prospect" and body["version"] == 1 and body["created_at"].endswith("+00:00")
    for word in ("female", "white", "sex", "race", "veteran", "disability"):
        assert word not in response.text
    listed = client.get("/api/v1/candidates", headers=api[0]).get_json()["items"]
    assert listed == [body]


def test_a_missing_candidate_is_a_json_404(app, client, api):
    for candidate_id in (999, 2**40):
        response = client.get(f"/api/v1/candidates/{candidate_id}", headers=api[0])
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_interviewers_anonymous_and_read_only_tokens_are_refused(app, client):
    with app.app_context():
        interviewer = make_token(make_user(Role.INTERVIEWER))
        read_only = make_token(make_user(Role.ADMIN), read_only=True)
        candidate = make_candidate()
    paths = ["/api/v1/candidates", f"/api/v1/candidates/{candidate.id}"]
    for path in paths:
        assert client.get(path, headers=bearer(interviewer)).status_code == 403
        assert client.get(path).status_code == 401
        assert client.get(path, headers=bearer(read_only)).status_code == 200
    writes = [
        ("post", "/api/v1/candidates"),
        ("patch", f"/api/v1/candidates/{candidate.id}"),
        ("post", f"/api/v1/candidates/{candidate.id}/touches"),
    ]
    for method, path in writes:
        for headers, status in ((bearer(interviewer), 403), ({}, 401), (bearer(read_only), 403)):
            response = getattr(client, method)(path, json={"name": "X", "kind": "call"}, headers=headers)
            assert response.status_code == status
            assert response.get_json()["error"]["code"] == ("forbidden" if status == 403 else "unauthorized")
    with app.app_context():
        assert db.session.scalar(db.select(sa.func.count()).select_from(Candidate)) == 1
        assert db.session.scalar(db.select(sa.func.count()).select_from(Touch)) == 0


def test_create_normalises_like_the_page_and_is_audited(app, client, api):
    headers, user = api
    response = client.post(
        "/api/v1/candidates",
        json={
            "name": "  Grace Rep ", "email": "Grace@Example.COM", "tags": ["SaaS", "East  Coast"], "segment": "smb",
            "quota_years": 3.5, "attainment_verified": True, "next_touch_on": "2030-01-15", "status": "engaged",
        },
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/candidates/{body['id']}"
    assert response.headers["ETag"] == '"1"'
    assert body["name"] == "Grace Rep" and body["email"] == "grace@example.com"
    assert body["tags"] == ["east coast", "saas"] and body["segment"] == "smb" and body["quota_years"] == 3.5
    assert body["attainment_verified"] is True and body["next_touch_on"] == "2030-01-15"
    assert body["status"] == "engaged" and body["owner_id"] == user.id  # the caller's, like the page
    assert client.get(response.headers["Location"], headers=headers).get_json() == body
    (entry,) = audit(app, "candidate.created")
    assert entry.actor_id == user.id and entry.target_id == str(body["id"])
    nobody = client.post("/api/v1/candidates", json={"name": "Nobody's", "owner_id": None}, headers=headers)
    assert nobody.get_json()["owner_id"] is None and nobody.get_json()["status"] == "prospect"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name"}),
        ({"name": "   "}, {"name"}),
        ({"name": None}, {"name"}),
        ({"name": "x" * 201}, {"name"}),
        ({"name": "A", "email": "not-an-address"}, {"email"}),
        ({"name": "A", "segment": "galactic"}, {"segment"}),
        ({"name": "A", "typical_deal_size": -1, "sales_cycle_days": "30"}, {"typical_deal_size", "sales_cycle_days"}),
        ({"name": "A", "quota_years": True, "attainment_verified": "yes"}, {"quota_years", "attainment_verified"}),
        ({"name": "A", "source": "referral"}, {"referrer"}),
        ({"name": "A", "consent_on": "2026-02-30"}, {"consent_on"}),
        ({"name": "A", "consent_on": "2026-02-01", "consent_method": "email", "consent_expires_on": "2026-01-01"},
         {"consent_expires_on"}),
        ({"name": "A", "owner_id": 4242}, {"owner_id"}),
        ({"name": "A", "tags": "a, b"}, {"tags"}),
        ({"name": "A", "tags": ["a,b"]}, {"tags"}),
        ({"name": "A", "shoe_size": 44, "id": 3}, {"shoe_size", "id"}),
        ({"name": "A\u0000", "company": "\ud800", "tags": ["\u0000"]}, {"name", "company", "tags"}),
        ({"name": 7, "email": "bad", "segment": 3}, {"name", "email", "segment"}),
    ],
)  # fmt: skip
def test_invalid_create_bodies_are_a_422_naming_the_fields(app, client, api, body, fields):
    response = client.post("/api/v1/candidates", json=body, headers=api[0])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) == fields
    assert all(isinstance(messages, list) and messages for messages in error["fields"].values())
    with app.app_context():
        assert db.session.scalar(db.select(sa.func.count()).select_from(Candidate)) == 0


def test_a_taken_external_id_is_a_422(app, client, api):
    with app.app_context():
        make_candidate(external_id="ATS-1")
    response = client.post("/api/v1/candidates", json={"name": "A", "external_id": "ATS-1"}, headers=api[0])
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {"external_id"}


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ('{"name": "A"}', "text/plain", 415),
        ("name=A", "application/x-www-form-urlencoded", 415),
        ('{"name": ', "application/json", 400),
        ("", "application/json", 400),
        ('["name"]', "application/json", 400),
        ('{"name": "A", "quota_years": NaN}', "application/json", 400),
    ],
)
def test_bodies_must_be_json_objects(app, client, api, data, content_type, status):
    with app.app_context():
        candidate = make_candidate()
    for method, path, extra in (
        ("post", "/api/v1/candidates", {}),
        ("patch", f"/api/v1/candidates/{candidate.id}", {"If-Match": '"1"'}),
        ("post", f"/api/v1/candidates/{candidate.id}/touches", {}),
    ):
        response = getattr(client, method)(path, data=data, content_type=content_type, headers={**api[0], **extra})
        assert response.status_code == status, (method, path)
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}


def test_patch_needs_the_current_etag(app, client, api):
    headers, user = api
    with app.app_context():
        candidate = make_candidate(name="Old Name", company="Acme", tags=["saas"])
    path = f"/api/v1/candidates/{candidate.id}"
    missing = client.patch(path, json={"company": "Initech"}, headers=headers)
    assert missing.status_code == 428 and missing.get_json()["error"]["code"] == "precondition_required"
    for stale in ('"7"', 'W/"1"', '"2", "3"'):
        response = client.patch(path, json={"company": "Initech"}, headers={**headers, "If-Match": stale})
        assert response.status_code == 412
        assert response.get_json()["error"]["code"] == "precondition_failed"
        assert '"1"' in response.get_json()["error"]["message"]
    response = client.patch(
        path, json={"company": " Initech ", "next_touch_on": None}, headers={**headers, "If-Match": '"1"'}
    )
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    body = response.get_json()
    assert body["company"] == "Initech" and body["name"] == "Old Name" and body["tags"] == ["saas"]
    assert body["version"] == 2
    (entry,) = audit(app, "candidate.updated")
    assert entry.actor_id == user.id and entry.details == {"fields": ["company"]}
    # The old ETag is now stale; "*" matches any version.
    assert client.patch(path, json={"title": "AE"}, headers={**headers, "If-Match": '"1"'}).status_code == 412
    response = client.patch(path, json={"title": "AE", "tags": []}, headers={**headers, "If-Match": "*"})
    assert response.status_code == 200 and response.get_json()["tags"] == [] and response.headers["ETag"] == '"3"'
    assert audit(app, "candidate.updated")[-1].details == {"fields": ["title", "tags"]}


def test_a_patch_that_changes_nothing_keeps_the_version_and_writes_no_audit_entry(app, client, api):
    with app.app_context():
        candidate = make_candidate(name="Same", quota_years=2.5, attainment_verified=True, tags=["a"])
    response = client.patch(
        f"/api/v1/candidates/{candidate.id}", json={"name": "Same"}, headers={**api[0], "If-Match": '"1"'}
    )
    assert response.status_code == 200 and response.headers["ETag"] == '"1"'
    assert response.get_json()["attainment_verified"] is True
    assert audit(app, "candidate.updated") == []


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": ""}, {"name"}),
        ({"status": "hired"}, {"status"}),
        ({"version": 5, "created_at": "2020-01-01"}, {"version", "created_at"}),
        ({"phone": "1" * 41}, {"phone"}),
        ({"nickname": "Al"}, {"nickname"}),
    ],
)
def test_invalid_patches_are_a_422(app, client, api, body, fields):
    with app.app_context():
        candidate = make_candidate()
    response = client.patch(f"/api/v1/candidates/{candidate.id}", json=body, headers={**api[0], "If-Match": '"1"'})
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == fields


def test_patching_a_missing_candidate_is_a_404(app, client, api):
    response = client.patch("/api/v1/candidates/999", json={"name": "A"}, headers={**api[0], "If-Match": '"1"'})
    assert response.status_code == 404


def test_a_colleagues_save_in_the_same_moment_is_a_409(app, client, api, monkeypatch):
    with app.app_context():
        candidate = make_candidate(company="Acme")
    fill_record = pool_actions.fill_record

    def fill_then_colleague_saves(record, form):
        changed = fill_record(record, form)
        with db.engine.begin() as connection:  # another request's save, committed in between
            connection.execute(sa.text("UPDATE candidate SET version = version + 1 WHERE id = :id"), {"id": record.id})
        return changed

    monkeypatch.setattr(pool_actions, "fill_record", fill_then_colleague_saves)
    response = client.patch(
        f"/api/v1/candidates/{candidate.id}", json={"company": "Initech"}, headers={**api[0], "If-Match": '"1"'}
    )
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"
    with app.app_context():
        saved = db.session.get(Candidate, candidate.id)
        assert (saved.company, saved.version) == ("Acme", 2)
    assert audit(app, "candidate.updated") == []


def test_adding_a_touch_logs_it_like_the_page(app, client, api):
    headers, user = api
    with app.app_context():
        candidate = make_candidate()
    path = f"/api/v1/candidates/{candidate.id}/touches"
    response = client.post(path, json={"kind": "call", "summary": "Left a voicemail", "next_touch_on": "2031-03-01"},
                           headers=headers)  # fmt: skip
    assert response.status_code == 201
    touch = response.get_json()
    assert touch["kind"] == "call" and touch["summary"] == "Left a voicemail" and touch["author_id"] == user.id
    assert touch["candidate_id"] == candidate.id and touch["at"].endswith("+00:00")
    got = client.get(f"/api/v1/candidates/{candidate.id}", headers=headers)
    assert got.get_json()["next_touch_on"] == "2031-03-01" and got.get_json()["last_touch_at"] is not None
    assert got.headers["ETag"] == '"1"'  # activity leaves the record's version alone
    (entry,) = audit(app, "candidate.touched")
    assert entry.details == {"kind": "call"} and entry.target_id == str(candidate.id)
    again = client.post(path, json={"kind": "call", "summary": "Left a voicemail"}, headers=headers)
    assert again.status_code == 409
    assert client.post(path, json={"kind": "note"}, headers=headers).get_json()["summary"] == ""
    with app.app_context():
        kinds = db.session.scalars(db.select(Touch.kind).order_by(Touch.id)).all()
        assert kinds == [TouchKind.CALL, TouchKind.NOTE]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"kind"}),
        ({"kind": "fax"}, {"kind"}),
        ({"kind": "call", "summary": "x" * 2001}, {"summary"}),
        ({"kind": "call", "next_touch_on": "tomorrow"}, {"next_touch_on"}),
        ({"kind": "call", "author_id": 1}, {"author_id"}),
    ],
)
def test_invalid_touches_are_a_422(app, client, api, body, fields):
    with app.app_context():
        candidate = make_candidate()
    response = client.post(f"/api/v1/candidates/{candidate.id}/touches", json=body, headers=api[0])
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == fields


def test_a_touch_for_a_missing_candidate_is_a_404(app, client, api):
    assert client.post("/api/v1/candidates/999/touches", json={"kind": "call"}, headers=api[0]).status_code == 404


def test_responses_match_the_openapi_schemas(app, client, api):
    jsonschema = pytest.importorskip("jsonschema")

    def check(instance, name):
        # The schemas point at each other as in the OpenAPI document; here they sit under $defs.
        text = json.dumps({"$defs": OPENAPI_SCHEMAS, **OPENAPI_SCHEMAS[name]})
        schema = json.loads(text.replace("#/components/schemas/", "#/$defs/"))
        jsonschema.validate(instance, schema, cls=jsonschema.Draft202012Validator)

    created = client.post(
        "/api/v1/candidates", json={"name": "A", "quota_years": 1, "consent_on": date(2026, 1, 1).isoformat(),
                                    "consent_method": "verbal"}, headers=api[0]
    ).get_json()  # fmt: skip
    check(created, "Candidate")
    check(client.get("/api/v1/candidates", headers=api[0]).get_json(), "CandidateList")
    touch = client.post(f"/api/v1/candidates/{created['id']}/touches", json={"kind": "email"}, headers=api[0])
    check(touch.get_json(), "Touch")
