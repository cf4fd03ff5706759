"""The workflow engine: domain-free.

Process definitions and versions, case persistence, the task table behind the
inbox, forms bound to tasks, timers, the working-day calendar and audit events.
Domains plug in through ``registry``; the engine names none of them.
"""
