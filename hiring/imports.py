"""Importing candidates from CSV or XLSX files: the upload page and ``flask --app hiring import candidates``.

The page takes a file, keeps it server-side under a random token held in the
session, and shows how it will read the columns (changeable), a preview of the
first rows and every problem found, before anything is imported; pressing
Import then imports that same file, without uploading it again.
"""

import csv
import io
import os
import re
import secrets
import time
from datetime import date, timedelta
from pathlib import Path

from flask import Blueprint, Response, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from hiring.access import allow
from hiring.csv_forms import CandidateUploadForm, MappingForm, chosen_targets, mapping_form
from hiring.csv_import import PREVIEW_COLUMNS, import_candidates, read_mapping
from hiring.csv_reading import COLUMNS, CsvFileError
from models import PoolStatus, Role, Source

bp = Blueprint("imports", __name__, url_prefix="/candidates")

PENDING_KEY = "candidate_import"
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
COLUMN_HELP = {
    "external_id": "The person's id in another system (an ATS, a CRM). Re-imports match on it first.",
    "first_name": "First name; used with last_name when there is no name column.",
    "last_name": "Last name.",
    "name": "Full name. Every row needs a name, or a first and last name.",
    "email": "E-mail address. Re-imports match on it when there is no external_id.",
    "phone": "Phone number, best with the country code (+1 415 555 0100).",
    "location": "City or region.",
    "linkedin": "LinkedIn profile URL.",
    "company": "Current company.",
    "title": "Current job title.",
    "source": "How they came to us: " + ", ".join(source.value for source in Source) + ".",
    "owner_email": "E-mail of the manager or admin who owns the candidate in Bench.",
    "tags": "Tags separated by semicolons: enterprise; saas; boston.",
    "notes": "Free text, added below any notes already there.",
    "status": "One of: " + ", ".join(status.value for status in PoolStatus) + ". New candidates default to prospect.",
    "next_touch": "Date of the next touch, written YYYY-MM-DD.",
}
FORMATS = (
    "OpenCATS (list export and legacy export)",
    "Lever (candidate export)",
    "Greenhouse (candidate import template)",
)


def upload_limits() -> dict:
    """Return the upload page's limits: the file size in megabytes (None if unlimited) and the number of rows."""
    max_bytes = current_app.config.get("MAX_CONTENT_LENGTH")
    return {
        "megabytes": max_bytes // (1024 * 1024) if max_bytes else None,
        "rows": current_app.config["IMPORT_MAX_ROWS_UPLOAD"],
    }


# The uploaded file, kept between the check and the import ------------------------------


def pending_folder() -> Path:
    """The folder of uploaded files waiting to be imported (under the instance folder, outside the web root)."""
    folder = Path(current_app.instance_path) / "uploads" / "imports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def pending_seconds() -> int:
    """Return how long an uploaded file waits for its import."""
    return int(current_app.config["IMPORT_PENDING_SECONDS"])


def sweep_pending() -> None:
    """Delete uploaded files older than the waiting time, whoever uploaded them."""
    oldest = time.time() - pending_seconds()
    for path in pending_folder().iterdir():
        if TOKEN.fullmatch(path.name) and path.stat().st_mtime < oldest:
            path.unlink(missing_ok=True)


def keep_pending(data: bytes, filename: str) -> None:
    """Keep an uploaded file under a new random token held in the session, replacing any earlier one."""
    discard_pending()
    sweep_pending()
    token = secrets.token_urlsafe(24)  # 32 characters; the file's only name: nothing the user sent is in the path
    descriptor = os.open(pending_folder() / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    shown = Path(filename.replace("\\", "/")).name[:120] or "the file"
    session[PENDING_KEY] = {"token": token, "name": shown, "user": current_user.id, "at": int(time.time())}


def pending_file() -> tuple[Path, str] | None:
    """Return the path and shown name of this session's uploaded file, or None if there is none (or it expired)."""
    entry = session.get(PENDING_KEY)
    if not isinstance(entry, dict):
        return None
    token = entry.get("token")
    if not isinstance(token, str) or not TOKEN.fullmatch(token) or entry.get("user") != current_user.id:
        discard_pending()
        return None
    path = pending_folder() / token
    if time.time() - entry.get("at", 0) > pending_seconds() or not path.is_file():
        discard_pending()
        return None
    return path, entry.get("name", "the file")


def discard_pending() -> None:
    """Delete this session's uploaded file, if any, and forget it."""
    entry = session.pop(PENDING_KEY, None)
    token = entry.get("token") if isinstance(entry, dict) else None
    if isinstance(token, str) and TOKEN.fullmatch(token):
        (pending_folder() / token).unlink(missing_ok=True)


# The pages -------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def upload():
    """Upload a CSV or XLSX file of candidates; it is kept for the check page, and nothing is imported yet."""
    form = CandidateUploadForm()
    if form.validate_on_submit():
        keep_pending(form.file.data.read(), form.file.data.filename or "")
        return redirect(url_for("imports.review"))
    return render_template(
        "imports/upload.html", form=form, limits=upload_limits(), columns=COLUMN_HELP, formats=FORMATS
    )


@bp.route("/import/review", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def review():
    """Show how the uploaded file will be read (changeable), a preview and every problem; import it on request."""
    sweep_pending()
    pending = pending_file()
    if pending is None:
        flash("There is no file waiting to be imported (files wait an hour). Upload it again.", "warning")
        return redirect(url_for("imports.upload"))
    path, filename = pending
    try:
        with path.open("rb") as stream:
            mapping, examples = read_mapping(stream)
    except CsvFileError:
        mapping, examples = None, []  # the import below says what is wrong with the file
    form = mapping_form(mapping) if mapping is not None else MappingForm()
    targets, importing = None, False
    if mapping is not None and form.validate_on_submit():
        targets, importing = chosen_targets(form, len(mapping.headers)), form.submit.data
    with path.open("rb") as stream:
        report = import_candidates(
            stream,
            targets=targets,
            dry_run=not importing,
            skip_invalid=form.skip_invalid.data,
            max_rows=upload_limits()["rows"],
            actor=current_user._get_current_object(),
            via="upload page",
        )
    if report.committed:
        discard_pending()
        return render_template("imports/review.html", report=report, filename=filename, form=None)
    columns = []
    if mapping is not None:
        for index, (letter, header, _) in enumerate(mapping.describe_all()):
            example = examples[index] if index < len(examples) else ""
            columns.append((form[f"column_{index}"], letter, header, example))
    return render_template(
        "imports/review.html",
        report=report,
        filename=filename,
        form=form,
        columns=columns,
        preview_columns=PREVIEW_COLUMNS,
    )


@bp.post("/import/cancel")
@allow(Role.MANAGER, Role.ADMIN)
def cancel():
    """Forget the uploaded file without importing it."""
    if FlaskForm().validate_on_submit():
        discard_pending()
        flash("The uploaded file was deleted; nothing was imported.", "info")
    return redirect(url_for("imports.upload"))


@bp.get("/import/example.csv")
@allow(Role.MANAGER, Role.ADMIN)
def example_file():
    """Download an example file with every column the import reads."""
    example = {
        "external_id": "ATS-1042",
        "first_name": "Dana",
        "last_name": "Reyes",
        "email": "dana.reyes@example.com",
        "phone": "+1 415 555 0100",
        "location": "Austin, TX",
        "linkedin": "https://www.linkedin.com/in/dana-reyes-example",
        "company": "Northwind Traders",
        "title": "Account Executive",
        "source": Source.EVENT.value,
        "owner_email": current_user.email,
        "tags": "enterprise; saas",
        "notes": "Met at the SaaS sales meetup; strong on discovery.",
        "status": PoolStatus.PROSPECT.value,
        "next_touch": (date.today() + timedelta(days=14)).isoformat(),
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerow([example.get(column, "") for column in COLUMNS])
    # The byte-order mark makes Excel open the file as UTF-8.
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=candidates-example.csv"},
    )


# The command -------------------------------------------------------------------------------
