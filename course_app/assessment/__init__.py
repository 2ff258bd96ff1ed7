from flask import Blueprint

bp = Blueprint("assessment", __name__)

from . import views  # noqa: E402,F401
