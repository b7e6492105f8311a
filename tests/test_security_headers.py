"""Every response carries the security headers: pages, error pages, API answers, static files and downloads.

The test walks the URL map as an admin, with the ids of real records, so a
route added later is covered without listing it here.
"""

import io

import pytest
from werkzeug.exceptions import InternalServerError

from hiring.access import signed_in
from hiring.security import SECURITY_HEADERS
from models import Interview, ResumeFile, User, db
from tests.api.helpers import bearer, make_token
from tests.hostile.world import build_world
from tests.test_resume_files import text_docx

# Values for the URL variables of every route: real records where a name says which.
URL_VALUES = {
    "candidate_id": "candidate", "other_id": "other", "opening_id": "opening", "application_id": "application",
    "shortlist_id": "shortlist", "entry_id": "entry", "hire_id": "hire", "scorecard_id": "scorecard",
    "user_id": "interviewer", "interview_id": "interview", "resume_id": "resume",
}  # fmt: skip
LITERAL_VALUES = {
    "template_id": "1", "trait_id": "1", "token_id": "1", "view_id": "1", "job_id": "1", "number": "1",
    "period": "2023-05", "output": "csv",
}  # fmt: skip
STATIC_FILES = {"static": "js/job-progress.js", "bootstrap.static": "css/bootstrap.min.css"}
# No model is trained here (it takes seconds): these answer 404, with the headers all the same.
NEED_A_MODEL = {"fit.version", "fit.card", "fit.card_markdown", "fit.job"}


def csp_directives(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as {directive: [sources]}."""
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_secure_headers(response, what: str) -> None:
    """The response has a CSP without inline or eval'd scripts, no framing, nosniff and a referrer policy."""
    directives = csp_directives(response)
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts, f"{what}: no script-src in the Content-Security-Policy"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, f"{what}: {scripts}"
    assert directives.get("frame-ancestors") == ["'none'"], f"{what}: {directives.get('frame-ancestors')}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("Referrer-Policy") in ("no-referrer", "same-origin", "strict-origin"), what


def test_the_policy_itself_allows_no_inline_script_and_no_framing():
    """The policy the app sends is strict (a cheap check that runs without a database)."""
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


@pytest.fixture
def world(app):
    """The populated app, plus a resume on the candidate and an API token for the manager."""

    @app.get("/__boom")  # a page that fails, to see the 500 page (routes must exist before the first request)
    @signed_in
    def boom():
        raise InternalServerError()

    world = build_world(app)
    upload = {"file": (io.BytesIO(text_docx("Cara Candidate", "cara@example.org")), "cv.docx")}
    assert world.manager.post(f"/candidates/{world.ids['candidate']}/resumes", data=upload).status_code == 302
    with app.app_context():
        world.ids["resume"] = db.session.scalars(db.select(ResumeFile.id)).one()
        world.ids["interview"] = db.session.scalars(db.select(Interview.id)).first()
        world.ids["token"] = make_token(db.session.get(User, world.ids["manager"]))
    return world


def url_for_rule(rule, ids: dict) -> str:
    """The rule's path with real ids (or fixed values) for its variables."""
    values = {}
    for name in rule.arguments:
        values[name] = str(ids[URL_VALUES[name]]) if name in URL_VALUES else LITERAL_VALUES.get(name, "1")
    if "token" in rule.arguments:
        values["token"] = ids["invitation"]
    if "filename" in rule.arguments:
        values["filename"] = STATIC_FILES[rule.endpoint]
    return rule.build(values, append_unknown=False)[1]


def test_every_get_route_answers_with_the_security_headers(world):
    """GET every route of the URL map as an admin (and as an anonymous visitor): every answer has the headers."""
    ids = {**world.ids, "invitation": world.invitation}
    admin_statuses = {}
    for rule in world.app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "boom":  # boom: this module's failing page
            continue
        path = url_for_rule(rule, ids)
        for client in (world.admin, world.anonymous):
            response = client.get(path)
            try:
                assert response.status_code < 500, (path, response.status_code)
                assert_secure_headers(response, f"GET {path} ({rule.endpoint})")
            finally:
                response.close()
            if client is world.admin:
                admin_statuses[rule.endpoint] = response.status_code
    # The ids are real: the admin's answers are pages, not 404s that say nothing about the page's headers.
    missing = {
        endpoint: status
        for endpoint, status in admin_statuses.items()
        if status == 404 and endpoint not in NEED_A_MODEL
    }
    assert missing == {}


def test_downloads_and_streams_carry_the_headers(world):
    """CSV streams, XLSX and resume files (send_file), JSON downloads and static files."""
    ids = world.ids
    downloads = [
        "/candidates/export.csv",
        "/exports/pool/file?format=csv&columns=name",
        "/exports/pool/file?format=xlsx&columns=name",
        "/exports/pool/file?format=print&columns=name",
        f"/exports/shortlists/{ids['shortlist']}/file?format=xlsx&columns=name",
        f"/candidates/{ids['candidate']}/resumes/{ids['resume']}",
        f"/candidates/{ids['candidate']}/resume.json",
        f"/admin/candidates/{ids['candidate']}/data.json",
        "/candidates/import/example.csv",
        "/static/js/job-progress.js",
        "/bootstrap/static/css/bootstrap.min.css",
    ]
    for path in downloads:
        response = world.admin.get(path)
        assert response.status_code == 200, (path, response.status_code)
        response.get_data()  # a streamed body is generated to the end
        assert_secure_headers(response, path)


def test_error_pages_and_api_answers_carry_the_headers(world):
    """404, 405, CSRF 400, 500, and the API's JSON answers and errors."""
    app = world.app
    answers = {
        "404": world.admin.get("/no/such/page"),
        "405": world.admin.delete("/candidates/"),
        "500": world.admin.get("/__boom"),
        "API 401": world.anonymous.get("/api/v1/me"),
        "API 200": world.anonymous.get("/api/v1/me", headers=bearer(ids_token := world.ids["token"])),
        "API 404": world.anonymous.get("/api/v1/candidates/999999", headers=bearer(ids_token)),
        "API 400": world.anonymous.post("/api/v1/candidates", data="{", headers=bearer(ids_token),
                                        content_type="application/json"),
    }  # fmt: skip
    app.config["WTF_CSRF_ENABLED"] = True
    answers["CSRF 400"] = world.admin.post("/candidates/new", data={"name": "No token"})
    app.config["WTF_CSRF_ENABLED"] = False
    expected = {"404": 404, "405": 405, "500": 500, "API 401": 401, "API 200": 200, "API 404": 404, "CSRF 400": 400}
    for what, response in answers.items():
        assert response.status_code == expected.get(what, 400), (what, response.status_code)
        assert_secure_headers(response, what)
