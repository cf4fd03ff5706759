"""Facts one domain answers for another, by name, so that neither imports the other.

A domain registers a provider at import (``@facts.provides("complaints.verified")``); a
reader asks for it (``facts.ask("complaints.verified", agency_id, default=[])``) and gets
the default when no package provides it. Providers return plain values (numbers, dates,
dicts) or rows the reader only reads.

=========================  ==============  =================================================
name                       provided by     answer
=========================  ==============  =================================================
``complaints.verified``    app/complaints  ``(agency_id)`` -> verified complaints and reports,
                                           newest first: ``{"verified_at", "serious"}``
``rating.current``         app/rating      ``(org_id)`` -> the valid confirmed rating or None
                                           (``grade``, ``cycle.name``, ``valid_until``)
=========================  ==============  =================================================
"""
from __future__ import annotations

from typing import Any, Callable

_providers: dict[str, Callable] = {}


def provides(name: str):
    """Register the decorated function as the provider of ``name`` (the last one wins)."""
    def decorate(fn):
        _providers[name] = fn
        return fn
    return decorate


def ask(name: str, *args, default: Any = None, **kwargs):
    """The answer of ``name``'s provider, or ``default`` when nothing provides it."""
    fn = _providers.get(name)
    return default if fn is None else fn(*args, **kwargs)
