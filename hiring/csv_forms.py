"""The forms of the candidate upload page: the file, then how to read its columns."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from hiring.column_mapping import TARGETS, ColumnMapping


class CandidateUploadForm(FlaskForm):
    """A CSV or XLSX file of candidates; what it is, is decided by its content, never by its name."""

    file = FileField(
        "CSV or Excel (.xlsx) file",
        validators=[FileRequired("Choose the CSV or Excel file to import.")],
        render_kw={"accept": ".csv,.txt,.tsv,.xlsx,text/csv"},
    )
    submit = SubmitField("Upload and check")


class MappingForm(FlaskForm):
    """What each column of the uploaded file holds (one select per column), and what to do next."""

    skip_invalid = BooleanField("Skip rows with errors and import the others")
    preview = SubmitField("Update the preview")
    submit = SubmitField("Import")


TARGET_CHOICES = [SelectChoice(target, label) for target, label in TARGETS.items()]


def mapping_form(mapping: ColumnMapping) -> MappingForm:
    """Return the mapping form of a file, one select per column, preset to the mapping's choices."""

    class FileMappingForm(MappingForm):
        pass

    for index, (header, target) in enumerate(zip(mapping.headers, mapping.targets, strict=True)):
        label = header.strip() or f"(column {index + 1}, no header)"
        setattr(FileMappingForm, f"column_{index}", SelectField(label, choices=TARGET_CHOICES, default=target))
    return FileMappingForm()


def chosen_targets(form: MappingForm, width: int) -> list[str]:
    """Return the target chosen for each column of the form."""
    return [form[f"column_{index}"].data for index in range(width)]
