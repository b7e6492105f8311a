"""The form that uploads a CSV file of candidates."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SubmitField

SAVE_AS_CSV = "Choose a .csv file. In Excel: File › Save As › “CSV UTF-8”; in Google Sheets: File › Download › CSV."


class CandidateImportForm(FlaskForm):
    """A CSV file, whether to skip bad rows, and whether to only check the file."""

    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose the CSV file to import."), FileAllowed(["csv", "txt", "tsv"], SAVE_AS_CSV)],
        render_kw={"accept": ".csv,.txt,.tsv,text/csv"},
    )
    skip_invalid = BooleanField("Skip rows with errors and import the others")
    check = SubmitField("Check only")
    submit = SubmitField("Import")
