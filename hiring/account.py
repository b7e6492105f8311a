"""The user's own account pages: personal API tokens, created and revoked by their owner.

A new token is shown once, in the response to the form that created it, and never again:
Bench keeps only its SHA-256 hash (hiring/api.py checks tokens against it).
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from hiring.access import signed_in
from hiring.api import new_token
from hiring.audit import record
from hiring.forms import strip
from models import ApiToken, db, utcnow

bp = Blueprint("account", __name__, url_prefix="/account")

NAME_TAKEN = "You already have an active token with this name; pick another, or revoke that one first."


class NewTokenForm(FlaskForm):
    """Create a personal API token for the signed-in user."""

    name = StringField(
        "Name", validators=[DataRequired(), Length(max=80)], filters=[strip],
        description="What the token is for, e.g. “HR system sync”, so you know which one to revoke later.",
    )  # fmt: skip
    read_only = BooleanField("Read-only (the token can read, but not change anything)")

    def validate_name(self, field) -> None:
        """A name is unique among the user's active tokens, whatever the case."""
        query = db.select(ApiToken.id).where(
            ApiToken.user_id == current_user.id,
            ApiToken.revoked_at.is_(None),
            db.func.lower(ApiToken.name) == field.data.lower(),
        )
        if db.session.scalar(query) is not None:
            raise ValidationError(NAME_TAKEN)


class RevokeTokenForm(FlaskForm):
    """Revoke a token (a button; the form carries the CSRF token)."""


def own_tokens() -> list[ApiToken]:
    """The signed-in user's tokens, active ones first, newest first."""
    query = db.select(ApiToken).where(ApiToken.user_id == current_user.id)
    order = (ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    return db.session.scalars(query.order_by(*order)).all()


def tokens_page(form: NewTokenForm, new: str | None = None, status: int = 200):
    """The tokens page; ``new`` is a token just created, shown this once."""
    html = render_template(
        "account/tokens.html", form=form, tokens=own_tokens(), new_token=new, revoke_form=RevokeTokenForm()
    )
    # The page can hold a token in clear: no cache, shared or private, may keep it.
    return html, status, {"Cache-Control": "no-store"}


@bp.get("/tokens")
@signed_in
def tokens():
    """List the user's API tokens, with a form to create one."""
    return tokens_page(NewTokenForm())


@bp.post("/tokens")
@signed_in
def create_token():
    """Create a token and show it once, in this response only (never in the session or a flash)."""
    form = NewTokenForm()
    if not form.validate_on_submit():
        return tokens_page(form)
    token, prefix, digest = new_token()
    created = ApiToken(
        user_id=current_user.id, name=form.name.data, prefix=prefix, token_hash=digest, read_only=form.read_only.data
    )
    db.session.add(created)
    record("api.token_created", created, details={"read_only": created.read_only})
    db.session.commit()
    return tokens_page(NewTokenForm(formdata=None), new=token, status=201)


@bp.post("/tokens/<int:token_id>/revoke")
@signed_in
def revoke_token(token_id: int):
    """Revoke one of the user's own tokens; anyone else's is a 404."""
    token = db.one_or_404(db.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id))
    if RevokeTokenForm().validate_on_submit() and token.active:
        token.revoked_at = utcnow()
        record("api.token_revoked", token, details={"read_only": token.read_only})
        db.session.commit()
        flash(f"The token “{token.name}” is revoked; requests made with it are now refused.", "success")
    return redirect(url_for("account.tokens"))
