"""Error pages: friendly, never a stack trace, and a failed request saves nothing."""

import pytest
from flask import Blueprint

from hiring import create_app
from hiring.access import public
from models import Role, User, db
from tests.conftest import base_config
from tests.factories import make_user, sign_in_as


@pytest.fixture(params=[Role.ADMIN, Role.MANAGER, Role.INTERVIEWER])
def signed_in_client(app, client, request):
    """A client signed in with each role in turn (their page shells differ)."""
    with app.app_context():
        user = make_user(request.param)
    sign_in_as(client, user)
    return client


def test_404_page(signed_in_client):
    response = signed_in_client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no such page" in response.text
    assert '<nav class="navbar' in response.text  # inside the normal page shell


def test_405_page(signed_in_client):
    response = signed_in_client.delete("/")
    assert response.status_code == 405
    assert "This page cannot be used that way." in response.text


def test_413_page_for_a_too_large_upload(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/sign-in", data={"email": "x@example.com", "password": "p" * 5000})
    assert response.status_code == 413
    assert "The upload is larger than this server accepts." in response.text


def test_400_page_for_a_missing_csrf_token(database):
    app = create_app(base_config(**database, WTF_CSRF_ENABLED=True))
    response = app.test_client().post("/sign-in", data={"email": "x@example.com", "password": "whatever"})
    assert response.status_code == 400
    assert "This form has expired or was sent from another site, so nothing was saved." in response.text


def test_500_rolls_back_and_shows_no_stack_trace(database):
    app = create_app(base_config(**database, PROPAGATE_EXCEPTIONS=False))
    broken = Blueprint("broken", __name__)

    @broken.get("/broken")
    @public
    def half_written():
        db.session.add(User(email="half@example.com", name="Half", role=Role.MANAGER))
        db.session.flush()
        raise RuntimeError("secret internals")

    app.register_blueprint(broken)
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert "Nothing was saved." in response.text
    assert "Traceback" not in response.text and "secret internals" not in response.text
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "half@example.com")) is None
        db.engine.dispose()


def test_security_headers_on_every_response(client):
    for response in (client.get("/sign-in"), client.get("/no/such/page"), client.get("/")):
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_load_css_and_js_from_the_app_itself(client):
    page = client.get("/sign-in").text
    assert "cdn" not in page.lower()
    assert 'href="/bootstrap/static/css/bootstrap.min.css' in page
    assert client.get("/bootstrap/static/css/bootstrap.min.css").status_code == 200
    assert client.get("/bootstrap/static/js/bootstrap.min.js").status_code == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
