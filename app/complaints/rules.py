"""The complaint rules as plain functions (no HTTP, no database). The rating review after
verified serious complaints is the rating's rule (app/rating/rules.py); the panel draw is
app/panels/rules.py."""
from __future__ import annotations

UPHELD_RESULTS = ("upheld", "partly_upheld")
