"""Saving an edit of a versioned record, where a colleague may have saved first."""

from flask import flash
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from hiring.forms import CONFLICT_MESSAGE, VersionedForm
from models import db


def commit_edit(form: VersionedForm, integrity_message: str | None = None) -> bool:
    """Commit the session; return False, with a message and the form kept, if the save lost a race.

    A colleague's save landing between our check of the version and our
    write shows up as StaleDataError; a unique value taken in the same
    moment as IntegrityError (only caught when ``integrity_message`` says
    what to tell the user).
    """
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(CONFLICT_MESSAGE, "warning")
        form.conflict = True
        form.take_current_version()
        return False
    except IntegrityError:
        if integrity_message is None:
            raise
        db.session.rollback()
        flash(integrity_message, "danger")
        return False
    return True
