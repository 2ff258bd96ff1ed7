from flask import Blueprint

bp = Blueprint("instructor", __name__, url_prefix="/instructor")

from . import content, views  # noqa: E402,F401
