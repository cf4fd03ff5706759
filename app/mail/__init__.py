"""Outgoing e-mail (电子邮件): an outbox table written in the caller's transaction and drained
after it commits (and by the scheduler), through a small backend interface (SMTP, console, memory)."""
