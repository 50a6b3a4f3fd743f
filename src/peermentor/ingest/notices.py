"""One channel for what a user should know about their data: the ``peermentor`` loggers.

Every module logs to ``notices.logger(__name__)`` (``logging.getLogger(__name__)``, see
:func:`logger`): a warning (a file not read, rows or columns left out, a value read
differently) at WARNING, a note only the job's log needs at INFO. Errors stay exceptions.
A job or command calls :func:`route` once to send its records to its log file and the
console; :func:`about` names the file (or wave) the records inside it are about.

>>> import sys
>>> log = logger("peermentor.example")
>>> with route(console=sys.stdout), about("data/raw/x/2024/redcap.csv"), about("wave 2"):
...     log.info("for the log only")
...     log.warning("3 rows left out")
...     log.warning("3 rows left out")
Warning: data/raw/x/2024/redcap.csv: wave 2: 3 rows left out
"""

from __future__ import annotations

import logging
import sys
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from logging.handlers import MemoryHandler

# Notes (INFO) reach a job's log; without a route, logging's last resort prints warnings.
logging.getLogger("peermentor").setLevel(logging.INFO)

_about: ContextVar[tuple[str, ...]] = ContextVar("peermentor_about", default=())
_handlers_lock = threading.Lock()


class _About(logging.Filter):
    """Starts a record's message with what it is about (see :func:`about`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if about_ := _about.get():
            record.msg, record.args = "".join(f"{a}: " for a in about_) + record.getMessage(), ()
        return True


def logger(name: str) -> logging.Logger:
    """``logging.getLogger(name)``, its records prefixed with what they are about."""
    log = logging.getLogger(name)
    if not any(isinstance(f, _About) for f in log.filters):
        log.addFilter(_About())
    return log


@contextmanager
def about(what):
    """Records logged inside start with ``what: `` (a file, a wave), after what the outer
    ``about`` names; a reader inside an import of the same file names it once."""
    outer = _about.get()
    token = _about.set(outer if outer[-1:] == (str(what),) else (*outer, str(what)))
    try:
        yield
    finally:
        _about.reset(token)


class _Once(logging.Filter):
    """This thread's records only, each message once (a note of every wave is said once).

    Snakemake runs jobs in threads of one process: each job's route gets its own records.
    """

    def __init__(self):
        super().__init__()
        self.thread, self.seen = threading.get_ident(), set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.thread != self.thread or message in self.seen:
            return False
        self.seen.add(message)
        return True


def _handler(stream, level: int, fmt: str) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(fmt))
    return handler


@contextmanager
def route(log=None, console=None, console_format: str = "Warning: %(message)s",
          log_format: str = "%(message)s", hold: bool = False):
    """Send this thread's ``peermentor`` records, while inside, to the stream ``log`` (INFO
    and up) and to ``console`` (WARNING and up; a job's is ``sys.stderr``, whose lines
    starting ``warning:`` ``./run.sh`` shows); ``None`` for either sends nothing there.

    ``hold``: the console gets its lines only when the block ends without an error (a
    failed import or discovery shows just its error; the log has everything).
    """
    handlers: list[logging.Handler] = []
    if log is not None:
        handlers.append(_handler(log, logging.INFO, log_format))
    if console is not None and console is not log:  # a log on the console: said once
        shown = _handler(console, logging.WARNING, console_format)
        if hold:
            shown = MemoryHandler(sys.maxsize, logging.CRITICAL + 1, shown, flushOnClose=False)
            shown.setLevel(logging.WARNING)
        handlers.append(shown)
    for handler in handlers:
        handler.addFilter(_Once())
    root = logging.getLogger("peermentor")
    # A new list, never one changed in place: logging walks a logger's handlers without a
    # lock, and a record of another job's thread may be walking them now (an element
    # removed under it would make it skip the next handler, losing a warning).
    with _handlers_lock:
        root.handlers = [*root.handlers, *handlers]
    try:
        yield
        for handler in handlers:
            handler.flush()  # a held console gets its lines now
    finally:
        with _handlers_lock:
            root.handlers = [h for h in root.handlers if h not in handlers]
