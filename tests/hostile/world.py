"""A populated app: a signed-in client per role and one record of each kind (hostile tests, security headers)."""

from dataclasses import dataclass
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from hiring.auth import invitation_url
from models import Application, Hire, Role, Shortlist, ShortlistEntry, db
from tests.factories import make_candidate, make_opening, make_scorecard, make_user, sign_in_as


@dataclass
class World:
    """The app, a signed-in client per role, and one record of each kind for forms to act on."""

    app: Flask
    admin: FlaskClient
    manager: FlaskClient
    interviewer: FlaskClient
    anonymous: FlaskClient
    ids: dict[str, int]
    invitation: str  # the invited user's token

    def client(self, role: str) -> FlaskClient:
        """Return the client signed in with ``role`` (or the anonymous one)."""
        return getattr(self, role)


def signed_in(app: Flask, user) -> FlaskClient:
    """A new client with ``user`` in its session."""
    client = app.test_client()
    sign_in_as(client, user)
    return client


def build_world(app) -> World:
    """Users of each role, two candidates, an opening with an application, a shortlist, a hire and a scorecard."""
    with app.app_context():
        admin = make_user(Role.ADMIN, name="Ada Admin")
        manager = make_user(Role.MANAGER, name="Max Manager")
        interviewer = make_user(Role.INTERVIEWER, name="Ivy Interviewer")
        invited = make_user(Role.MANAGER, name="Ian Invited", password=None)
        candidate = make_candidate(name="Cara Candidate", email="cara@example.org", owner_id=manager.id)
        other = make_candidate(name="Cara Candidate", email="cara.c@example.org")
        hired = make_candidate(name="Hugo Hired", email="hugo@example.org")
        opening = make_opening(hiring_manager_id=manager.id)
        application = Application(candidate_id=candidate.id, opening_id=opening.id, stage="sourced")
        shortlist = Shortlist(name="Hostile list", owner_id=manager.id)
        db.session.add_all([application, shortlist])
        db.session.flush()
        entry = ShortlistEntry(shortlist_id=shortlist.id, candidate_id=candidate.id, position=1)
        hire = Hire(candidate_id=hired.id, hired_on=date(2023, 1, 16))
        db.session.add_all([entry, hire])
        db.session.commit()
        with app.test_request_context():
            invitation = invitation_url(invited).rsplit("/", 1)[1]
        scorecard = make_scorecard(candidate.id, interviewer.id, {"drive": 3}, recommendation=None, submitted=False)
        ids = {
            "admin": admin.id, "manager": manager.id, "interviewer": interviewer.id, "invited": invited.id,
            "candidate": candidate.id, "other": other.id, "hired": hired.id, "opening": opening.id,
            "application": application.id, "shortlist": shortlist.id, "entry": entry.id, "hire": hire.id,
            "scorecard": scorecard,
        }  # fmt: skip
    return World(
        app=app,
        admin=signed_in(app, admin),
        manager=signed_in(app, manager),
        interviewer=signed_in(app, interviewer),
        anonymous=app.test_client(),
        ids=ids,
        invitation=invitation,
    )
