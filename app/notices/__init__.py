"""Public notice with objections (公示 + 异议), shared by every programme: a notice about one
subject (domain row + id) for a period of working days on the engine calendar, objections by
anyone with evidence while it runs, their handling (founded 成立 / not founded 不成立, with
reasons) and the notice's close (publication of the result). Rating uses it; the Wenzhou
selection and certification notices are next. See the README ("Public notices")."""
