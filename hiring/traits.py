"""Admin pages for the scorecard traits and the versioned scorecard templates."""

from flask import Blueprint

bp = Blueprint("traits", __name__, url_prefix="/admin")
