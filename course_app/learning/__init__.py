from flask import Blueprint

bp = Blueprint("learning", __name__)

from . import views  # noqa: E402,F401
