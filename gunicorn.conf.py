"""Gunicorn reads this file from the directory it starts in.

In production, broken course content stops the start here, in the master, with every problem listed
and exit status 1 (a worker that refused to start would only be started again). Each worker, once it
has loaded the app, moves it out of the garbage collector's way.
"""


def on_starting(server) -> None:
    from course_app.course_store import check_before_serving

    check_before_serving()


def post_worker_init(worker) -> None:
    """Move what the worker loaded (the app, the whole course) out of the garbage collector's way.

    Those objects live as long as the worker. A full collection walked all of them, about 90 ms of CPU,
    and paused the request it fell in and every request queued behind it: most of each page's p99
    (bench/bench_http.py). Where the course is reloaded on edits (development), nothing is frozen, since
    an old course frozen would never be freed.
    """
    import gc

    config = getattr(worker.wsgi, "config", None) or {}
    if not config.get("CONTENT_RELOAD", True):
        gc.freeze()
