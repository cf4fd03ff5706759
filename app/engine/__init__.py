"""The workflow engine: domain-free.

Process definitions and versions, case persistence, the task table behind the
inbox, forms bound to tasks, timers, the working-day calendar and audit events.
Domains plug in through ``registry`` (forms, hooks, access policies) and ``events``
(signals); the public surface is described in the README ("The engine's surface").
"""
from .errors import Conflict, EngineError, Forbidden, InvalidSubmission, NotFound  # noqa: F401
from .transactions import transaction  # noqa: F401
