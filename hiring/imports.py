"""Importing candidates from CSV files (command line and upload page), and exporting the pool list."""

from flask import Blueprint
from flask.cli import AppGroup

bp = Blueprint("imports", __name__, url_prefix="/candidates")
import_cli = AppGroup("import", help="Import records from files.")
