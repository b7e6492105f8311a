"""Signing in and out, changing one's password, and accepting an invitation."""

from functools import cache
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from hiring.access import public, signed_in
from hiring.audit import record
from hiring.extensions import limiter, login_manager
from hiring.forms import ChangePasswordForm, SetPasswordForm, SignInForm
from models import User, db, normalize_email, utcnow

bp = Blueprint("auth", __name__)

# The same words for a wrong password, an unknown e-mail and a deactivated
# account, so that the page never tells whether an account exists.
SIGN_IN_FAILED = "The e-mail or password is not right."
THROTTLED = "Too many failed sign-ins. For your security, please wait a few minutes and try again."


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Return the user of a session id ("<id>:<token>"), or None if it is stale."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not anybody's password")


def user_by_email(email: str) -> User | None:
    """Return the user with this e-mail address, in any spelling of its case, or None."""
    return db.session.scalar(db.select(User).where(User.email == normalize_email(email)))


def credentials_valid(user: User | None, password: str) -> bool:
    """Return True if ``user`` exists, is active and has this password.

    Checks a hash even when there is no user or no password, so that the
    response time does not reveal which addresses have accounts.
    """
    if user is None or user.password_hash is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return user.check_password(password) and user.active


def start_session(user: User) -> None:
    """Sign ``user`` in for this browser; the session ends after PERMANENT_SESSION_LIFETIME idle."""
    session.clear()  # nothing from before sign-in carries over into the new session
    login_user(user)
    session.permanent = True


def safe_next_url(target: str | None) -> str:
    """Return ``target`` if it is a path on this site, else the home page."""
    if target and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.index")


def _account_key() -> str:
    return "sign-in:" + normalize_email(request.form.get("email", ""))[:254]


def _address_key() -> str:
    return "sign-in-from:" + (request.remote_addr or "unknown")


def _render_throttled(limit):
    """Keep the sign-in form, and what was typed, on the throttled page."""
    form = SignInForm()
    flash(THROTTLED, "danger")
    return current_app.make_response((render_template("auth/sign_in.html", form=form), 429))


def _failed(response) -> bool:
    # Only failed attempts count towards the throttle: success redirects.
    return response.status_code != 302


def _throttle(config_key: str, key_func):
    return limiter.limit(
        lambda: current_app.config[config_key],
        key_func=key_func,
        methods=["POST"],
        deduct_when=_failed,
        on_breach=_render_throttled,
    )


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@_throttle("SIGN_IN_LIMIT_PER_ACCOUNT", _account_key)
@_throttle("SIGN_IN_LIMIT_PER_ADDRESS", _address_key)
def sign_in():
    """Show the sign-in form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        if credentials_valid(user, form.password.data):
            start_session(user)
            user.last_sign_in_at = utcnow()
            record("auth.sign_in", user, actor=user)
            db.session.commit()
            return redirect(safe_next_url(request.args.get("next")))
        record("auth.sign_in_failed", user)
        db.session.commit()
        flash(SIGN_IN_FAILED, "danger")
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
@signed_in
def sign_out():
    """Sign the current user out."""
    record("auth.sign_out", current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    """Change one's own password; other sessions of the user end."""
    user = current_user._get_current_object()
    form = ChangePasswordForm(user=user)
    if form.validate_on_submit():
        user.set_password(form.password.data)
        record("auth.password_changed", user)
        db.session.commit()
        start_session(user)  # the session token changed: keep this session, end the others
        flash("Your password is changed. Other devices have been signed out.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)


def _invitation_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invitation")


def invitation_url(user: User) -> str:
    """Return a single-use link that lets ``user`` choose a new password."""
    token = _invitation_serializer().dumps({"user": user.id, "pw": user.password_fingerprint})
    return url_for("auth.accept_invitation", token=token, _external=True)


def invited_user(token: str) -> User | None:
    """Return the user an invitation link is for, or None if it is bad, expired or used."""
    try:
        data = _invitation_serializer().loads(token, max_age=current_app.config["INVITATION_MAX_AGE"])
    except BadSignature:
        return None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("pw") != user.password_fingerprint:
        return None
    return user


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    """Let an invited user (or one whose password was reset) choose a password."""
    user = invited_user(token)
    if user is None:
        return render_template("auth/invitation_invalid.html"), 404
    form = SetPasswordForm(user=user)
    if form.validate_on_submit():
        user.set_password(form.password.data)
        record("auth.invitation_accepted", user, actor=user)
        db.session.commit()
        start_session(user)
        flash(f"Welcome to Bench, {user.name}. Your password is set.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/accept_invitation.html", form=form, user=user)
