"""The create-user and demo commands."""

import random

import pytest

from hiring.demo import DEMO_SIGN_INS, demo_people
from models import AuditEntry, Role, User, db


def users(app):
    with app.app_context():
        return db.session.execute(db.select(User.email, User.name, User.role).order_by(User.id)).all()


def test_create_user_reads_the_password_from_stdin(app, runner, client):
    result = runner.invoke(args=["create-user", "Ada@Example.com", "--role", "admin"], input="plum orchard lantern\n")
    assert result.exit_code == 0, result.output
    assert "Created admin ada@example.com." in result.output
    assert "plum orchard lantern" not in result.output
    assert users(app) == [("ada@example.com", "Ada", Role.ADMIN)]
    sign_in = client.post("/sign-in", data={"email": "ada@example.com", "password": "plum orchard lantern"})
    assert sign_in.status_code == 302
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.created")).one()
        assert entry.actor_label == "command line"


def test_create_user_refuses_a_password_in_the_arguments(runner):
    result = runner.invoke(args=["create-user", "ada@example.com", "--role", "admin", "--password", "x"])
    assert result.exit_code == 2
    assert "No such option '--password'" in result.output


@pytest.mark.parametrize(
    "args, password, message",
    [
        (["create-user", "ada@example.com", "--role", "owner"], "plum orchard lantern", "'owner' is not one of"),
        (["create-user", "not-an-email", "--role", "admin"], "plum orchard lantern", "not an e-mail address"),
        (["create-user", "ada@example.com", "--role", "admin"], "short", "10 to 128 characters"),
        (["create-user", "ada@example.com", "--role", "admin"], "password123", "too easy to guess"),
    ],
)
def test_create_user_explains_bad_input(app, runner, args, password, message):
    result = runner.invoke(args=args, input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert users(app) == []


def test_create_user_refuses_a_duplicate_email(app, runner):
    runner.invoke(args=["create-user", "ada@example.com", "--role", "admin"], input="plum orchard lantern\n")
    result = runner.invoke(args=["create-user", "ADA@example.com", "--role", "manager"], input="plum orchard lantern\n")
    assert result.exit_code == 1
    assert "A user with the e-mail ada@example.com already exists." in result.output
    assert len(users(app)) == 1


def test_demo_fills_an_empty_database_and_prints_working_sign_ins(app, runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Loaded demo data: 8 users." in result.output
    loaded = users(app)
    assert {role for _, _, role in loaded} == set(Role)
    for sign_in in DEMO_SIGN_INS:
        assert sign_in.email in result.output and sign_in.password in result.output
        response = client.post("/sign-in", data={"email": sign_in.email, "password": sign_in.password})
        assert response.status_code == 302, sign_in.email
        client.post("/sign-out")


def test_demo_is_reproducible_from_its_seed(app, runner):
    runner.invoke(args=["demo", "--seed", "7"])
    expected = [(email, name, role) for email, name, role, _ in demo_people(random.Random(7))]
    assert users(app) == expected
    assert expected == [(email, name, role) for email, name, role, _ in demo_people(random.Random(7))]
    assert expected != [(email, name, role) for email, name, role, _ in demo_people(random.Random(8))]


def test_demo_refuses_a_database_with_data(app, runner):
    runner.invoke(args=["create-user", "ada@example.com", "--role", "admin"], input="plum orchard lantern\n")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "goes only into an empty one" in result.output
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "no demo data loaded" in result.output
    assert len(users(app)) == 1


def test_demo_if_empty_reprints_the_sign_ins_when_demo_is_loaded(runner):
    runner.invoke(args=["demo"])
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert DEMO_SIGN_INS[0].password in result.output
