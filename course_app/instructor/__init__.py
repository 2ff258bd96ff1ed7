from flask import Blueprint

bp = Blueprint("instructor", __name__, url_prefix="/instructor")

from . import certificate_views, content, export_views, views  # noqa: E402,F401
