"""A candidate's resume files: the panel on the candidate page, upload, download and delete.

Resumes hold a person's full contact details and history, so only managers and admins (who
work the talent pool) see, download or change them. Interviewers see a short summary of the
candidates they interview on their scorecard page, never the resume files.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from hiring.access import allow
from hiring.candidates import POOL_ROLES, render_detail
from hiring.errors import render_error
from hiring.resume_files import CONTENT_TYPES, download_name, max_bytes, megabytes
from hiring.resume_forms import ConfirmDeleteForm, ResumeUploadForm
from hiring.resume_store import delete_resume, resume_path, store_resume
from models import Candidate, ResumeFile, db

bp = Blueprint("resumes", __name__, url_prefix="/candidates")

# Room for the multipart headers and the CSRF token around the file itself.
FORM_OVERHEAD = 64 * 1024
TOO_LARGE = (
    "The file is larger than {limit}, the most a resume may be, so nothing was saved. "
    "Save it smaller (e.g. without photos, or as PDF) and upload it again."
)
ALREADY_THERE = "This file is already attached as “{name}”; nothing was added."


@bp.url_value_preprocessor
def limit_upload_size(endpoint: str | None, values: dict | None) -> None:
    """Cap the upload's request body at the resume limit, before anything (CSRF included) reads the form."""
    # Runs before the before-request hooks; the app-wide MAX_CONTENT_LENGTH is larger, for CSV imports.
    if endpoint == "resumes.upload":
        request.max_content_length = max_bytes() + FORM_OVERHEAD


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """A resume over the limit: a clean 413 page that says the limit."""
    return render_error(413, TOO_LARGE.format(limit=megabytes(max_bytes())))


@bp.app_template_global("resume_panel")
def resume_panel(candidate: Candidate, form: ResumeUploadForm | None = None) -> dict:
    """What the candidate page's Resumes panel shows: the resumes, newest first, and the upload form."""
    resumes = db.session.scalars(
        db.select(ResumeFile)
        .where(ResumeFile.candidate_id == candidate.id)
        .order_by(ResumeFile.uploaded_at.desc(), ResumeFile.id.desc())
    ).all()
    form = form or ResumeUploadForm(formdata=None)
    form.file.description = (
        f"PDF or Word (DOCX), at most {megabytes(max_bytes())}. "
        "The file is checked by its content, not its name; its text becomes searchable."
    )
    return {"resumes": resumes, "form": form}


def resume_of(candidate_id: int, resume_id: int) -> ResumeFile:
    """Return the candidate's resume, or answer 404 (also when it belongs to someone else)."""
    resume = db.get_or_404(ResumeFile, resume_id)
    if resume.candidate_id != candidate_id:
        abort(404)
    return resume


@bp.post("/<int:candidate_id>/resumes")
@allow(*POOL_ROLES)
def upload(candidate_id: int):
    """Attach an uploaded resume; a refused file re-renders the page with the reason, and nothing is stored."""
    candidate = db.get_or_404(Candidate, candidate_id)
    form = ResumeUploadForm()
    if not form.validate_on_submit():
        return render_detail(candidate, 400, resume_form=form)
    checked = form.checked
    resume, new = store_resume(
        candidate, checked.kind, form.file.data.filename or "", checked.data, checked.text, "upload", current_user
    )
    path = resume_path(resume)
    try:
        db.session.commit()
    except IntegrityError:  # the same file attached by someone else at the same moment
        db.session.rollback()
        path.unlink(missing_ok=True)
        flash("This file was attached by someone else just now; nothing was added.", "info")
    else:
        flash(attached_message(resume, new), "success" if new else "info")
    return redirect(url_for("candidates.detail", candidate_id=candidate.id) + "#resumes")


def attached_message(resume: ResumeFile, new: bool) -> str:
    """Say what an upload did."""
    if not new:
        return ALREADY_THERE.format(name=resume.original_name)
    message = f"Attached {resume.original_name} ({resume.kind.label})."
    if not resume.text.strip():
        return message + " No text could be read from it (a scanned image?), so search will not find its words."
    return message + " Its text is now searchable."


@bp.get("/<int:candidate_id>/resumes/<int:resume_id>")
@allow(*POOL_ROLES)
def download(candidate_id: int, resume_id: int):
    """Download a resume as an attachment (never shown inline), with the content type of its checked kind."""
    resume = resume_of(candidate_id, resume_id)
    path = resume_path(resume)
    if not path.is_file():
        return render_error(404, "The file of this resume is missing from the server. Upload it again.")
    response = send_file(
        path,
        mimetype=CONTENT_TYPES[resume.kind],
        as_attachment=True,
        download_name=download_name(resume),
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:candidate_id>/resumes/<int:resume_id>/delete", methods=["GET", "POST"])
@allow(*POOL_ROLES)
def delete(candidate_id: int, resume_id: int):
    """Confirm, then delete a resume: its file, its row and its words from the candidate's search text."""
    resume = resume_of(candidate_id, resume_id)
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        name = resume.original_name
        delete_resume(resume, current_user)
        db.session.commit()
        flash(f"Deleted the resume {name}.", "success")
        return redirect(url_for("candidates.detail", candidate_id=candidate_id) + "#resumes")
    return render_template("resumes/delete.html", resume=resume, candidate=resume.candidate, form=form)
