from flask import Blueprint

bp = Blueprint("assessment", __name__)

from . import check_views, views  # noqa: E402,F401
