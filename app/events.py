"""Domain events: what one domain announces and others may act on, without importing each
other. Blinker signals like the engine's (app/engine/events.py); each is sent inside the
transaction of the change (a receiver's writes commit or roll back with it), with the
sending process key as sender. Subscribe in a package's ``hooks.register`` with
``app.engine.events.subscribe``.

=======================  ==============  ===============================================
signal                   sender          keyword arguments
=======================  ==============  ===============================================
``complaint_verified``   process key     ``agency_id``, ``case_id``, ``actor_id``, ``serious``
=======================  ==============  ===============================================

``complaint_verified``: a complaint or report about an agency was upheld after
arbitration (核实属实), ``serious`` when found 情节严重. Sent by app/complaints; app/rating
decides whether the agency's rating goes under review.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

complaint_verified = _signals.signal("complaint-verified")
