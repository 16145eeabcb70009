"""Graceful termination on SIGTERM / SIGINT.

A Python signal handler runs in the main thread between two bytecodes - possibly while that
thread holds a lock the handler would need (an Event's condition while it waits, the log
stream while it writes), which deadlocks or raises. So the handler does nothing but start a
thread; the shutdown work (logging, setting events) runs there, taking those locks normally.
"""

from __future__ import annotations

import signal
import threading
from typing import Callable


def on_termination(shutdown: Callable[[str], None]) -> None:
    """Call `shutdown(signal_name)` in its own thread when SIGTERM or SIGINT arrives."""

    def handler(signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        threading.Thread(target=shutdown, args=(name,), name="shutdown", daemon=True).start()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
