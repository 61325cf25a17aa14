"""No secrets in logs: API keys are masked in every log record, whoever logs them.

    install_log_redaction()      # once, at start-up (create_app calls it; it is idempotent)
    redact("Bearer lw_3f9a0c1b2d4e_s3cr3t")  ->  "Bearer lw_3f9a0c1b2d4e_[redacted]"

The prefix stays visible (it names the key in the audit log and in `labourwatch users list-keys`); the secret
part never reaches a handler. Implemented as a log-record factory, so records of every logger (uvicorn's access
log, SQLAlchemy's echo, our own) are masked before any handler or filter sees them.
"""

from __future__ import annotations

import logging
import re
import threading

__all__ = ["KEY_PATTERN", "install_log_redaction", "redact"]

KEY_PATTERN = re.compile(r"\b(lw_[0-9a-f]{12}_)[A-Za-z0-9_\-]+")
_installed = False
_lock = threading.Lock()


def redact(text: str) -> str:
    return KEY_PATTERN.sub(r"\1[redacted]", text)


def _redacted_args(args):
    if isinstance(args, tuple):
        return tuple(redact(a) if isinstance(a, str) else a for a in args)
    if isinstance(args, dict):
        return {k: redact(v) if isinstance(v, str) else v for k, v in args.items()}
    return args


def install_log_redaction() -> None:
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if isinstance(record.msg, str):
                record.msg = redact(record.msg)
            if record.args:
                record.args = _redacted_args(record.args)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
