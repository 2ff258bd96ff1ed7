"""Gunicorn reads this file from the directory it starts in.

In production, broken course content stops the start here, in the master, with every problem listed
and exit status 1 (a worker that refused to start would only be started again).
"""


def on_starting(server) -> None:
    from course_app.course_store import check_before_serving

    check_before_serving()
