"""Merging two candidate records that are the same person."""

from flask import Blueprint

bp = Blueprint("merge", __name__, url_prefix="/candidates")
