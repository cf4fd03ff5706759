"""What happens in the engine, as signals (blinker) other packages subscribe to.

Every signal is sent inside the transaction of the change, so a receiver's writes
commit or roll back with it. The sender is a key, so a receiver may listen to one
process or one form only (``signal.connect(fn, sender="a_process_key")``) or to all:

========================  =============  =========================================
signal                    sender         keyword arguments
========================  =============  =========================================
``task_created``          form key       ``case``, ``task`` (the row), ``candidates`` (user ids named)
``task_completed``        form key       ``case``, ``task``, ``user``, ``data``
``case_completed``        process key    ``case``, ``end_event_id``
``case_cancelled``        process key    ``case``, ``actor_id``, ``reason``
``case_suspended``        process key    ``case``, ``actor_id``, ``reason``
``case_resumed``          process key    ``case``, ``actor_id``, ``reason``
========================  =============  =========================================

The order in which receivers of one signal run is not defined.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

task_created = _signals.signal("task-created")
task_completed = _signals.signal("task-completed")
case_completed = _signals.signal("case-completed")
case_cancelled = _signals.signal("case-cancelled")
case_suspended = _signals.signal("case-suspended")
case_resumed = _signals.signal("case-resumed")


def subscribe(signal, fn, sender=None):
    """Connect ``fn`` (strongly: closures stay connected) to ``signal``, for one sender
    key or all of them. Connecting the same function twice is harmless."""
    from blinker import ANY
    signal.connect(fn, sender=ANY if sender is None else sender, weak=False)
    return fn
