from flask import Blueprint

bp = Blueprint("assessment", __name__)

from . import check_views, questions, views  # noqa: E402,F401
