"""Signals of public notices (blinker, like app/events.py); sender: the notice's
``subject_type``; each is sent inside the transaction of the change.

``objection_filed``     ``notice``, ``objection``, ``actor_id``
``objection_upheld``    ``notice``, ``objection``, ``actor_id``  (founded, 成立)
``objection_dismissed`` ``notice``, ``objection``, ``actor_id``  (not founded, 不成立)
``notice_closed``       ``notice``, ``actor_id``                 (the period ended; publish the result)
"""
from blinker import Namespace

_signals = Namespace()

objection_filed = _signals.signal("notice-objection-filed")
objection_upheld = _signals.signal("notice-objection-upheld")
objection_dismissed = _signals.signal("notice-objection-dismissed")
notice_closed = _signals.signal("notice-closed")
