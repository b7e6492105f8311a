"""Forms of resume files: uploading one to a candidate, and confirming a deletion."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms.validators import ValidationError

from hiring.resume_files import CheckedResume, ResumeRefused, check_resume, read_capped


class ResumeUploadForm(FlaskForm):
    """Upload a resume. The file is judged by its content (PDF or DOCX), its size capped, its text read safely."""

    file = FileField(
        "Resume file",
        validators=[FileRequired("Choose the resume file (PDF or Word DOCX) to upload.")],
        # Only a hint for the file picker: the server judges the file by its content, never its name.
        render_kw={"accept": ".pdf,.docx,application/pdf,application/vnd.openxmlformats-officedocument"
                   ".wordprocessingml.document"},
    )  # fmt: skip
    checked: CheckedResume | None = None

    def validate_file(self, field) -> None:
        """Check the file's size and kind and read its text (in a limited child process); keep the result."""
        try:
            self.checked = check_resume(read_capped(field.data.stream))
        except ResumeRefused as refused:
            raise ValidationError(str(refused)) from refused


class ConfirmDeleteForm(FlaskForm):
    """Confirm deleting a resume (a CSRF-protected POST; the page says what goes)."""
