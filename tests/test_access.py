"""Every route declares who may use it, and the declaration is enforced."""

from flask import Blueprint
from werkzeug.routing import IntegerConverter

from hiring import create_app
from hiring.access import access_rule
from models import Role
from tests.authz_objects import routes
from tests.conftest import base_config
from tests.factories import make_user, sign_in_as


def url_of(app, rule, record_id: int) -> str:
    """Build a URL for ``rule``: integer parameters get ``record_id``, others a sample word."""
    arguments = {
        name: record_id if isinstance(converter, IntegerConverter) else "sample"
        for name, converter in rule._converters.items()
    }
    with app.test_request_context():
        return app.url_for(rule.endpoint, **arguments)


def test_every_route_declares_an_access_rule():
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI="sqlite://"))
    undeclared = sorted({rule.endpoint for rule, _ in routes(app) if access_rule_of(app, rule.endpoint) is None})
    assert undeclared == [], f"routes without @public, @signed_in or @allow(...): {undeclared}"


def access_rule_of(app, endpoint):
    with app.test_request_context():
        return access_rule(endpoint)


def test_a_route_without_declaration_is_refused_to_everyone(database):
    app = create_app(base_config(**database))
    forgotten = Blueprint("forgotten", __name__)
    forgotten.add_url_rule("/forgotten", view_func=lambda: "secret")
    app.register_blueprint(forgotten)
    with app.app_context():
        admin = make_user(Role.ADMIN)
    client = app.test_client()
    sign_in_as(client, admin)
    assert client.get("/forgotten").status_code == 403


# What each role gets from each route, object by object, is the authorization matrix
# (tests/test_authorization_matrix.py); this module checks that every route declares a rule.


def test_admin_pages_are_refused_to_other_roles_with_the_error_page(app, client):
    with app.app_context():
        manager = make_user(Role.MANAGER)
    sign_in_as(client, manager)
    response = client.get("/admin/users/")
    assert response.status_code == 403
    assert "Your account does not have access to this page." in response.text


def test_navigation_shows_admin_links_only_to_admins(app, client):
    with app.app_context():
        admin, manager = make_user(Role.ADMIN), make_user(Role.MANAGER)
    sign_in_as(client, manager)
    assert "Audit log" not in client.get("/").text
    sign_in_as(client, admin)
    page = client.get("/").text
    assert "Audit log" in page and 'href="/admin/users/"' in page


def test_every_post_without_csrf_token_is_rejected(database):
    """With CSRF on (as in production), no state-changing request passes without the token."""
    app = create_app(base_config(**database, WTF_CSRF_ENABLED=True))
    with app.app_context():
        admin = make_user(Role.ADMIN)
        target = make_user(Role.INTERVIEWER)
    writes = [(rule, method) for rule, method in routes(app) if method in ("POST", "PUT", "PATCH", "DELETE")]
    assert len(writes) >= 6
    for rule, method in writes:
        client = app.test_client()
        sign_in_as(client, admin)
        response = client.open(
            url_of(app, rule, target.id), method=method, data={"email": "x@example.com", "name": "X", "role": "admin"}
        )
        if rule.rule.startswith("/api/"):
            # The API takes no CSRF token because it ignores the session cookie altogether.
            assert response.status_code == 401, rule.rule
            continue
        assert response.status_code == 400, rule.rule
        assert "nothing was saved" in response.text, rule.rule


def test_sign_in_works_with_csrf_token(database):
    from tests.factories import PASSWORD

    app = create_app(base_config(**database, WTF_CSRF_ENABLED=True))
    with app.app_context():
        make_user(email="mia@example.com")
    client = app.test_client()
    page = client.get("/sign-in").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/sign-in", data={"email": "mia@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
