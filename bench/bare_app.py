"""The baseline: a bare Flask app answering "ok", served by the same gunicorn settings as the app."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def ok() -> str:
    return "ok"
