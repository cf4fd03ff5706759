"""The public objection page as a view helper a programme's route calls (its own URL, its
subject's heading)."""
from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import CombinedMultiDict

from ..engine.errors import NotFound
from . import operations
from .forms import ObjectionForm


def objection_page(notice, *, heading: str, action: str, done: str):
    """GET shows the form, POST files the objection (422 keeps what was typed)."""
    if notice is None or notice.status != "open":
        raise NotFound(_("no result under public notice"))
    form = ObjectionForm(CombinedMultiDict([request.files, request.form])) if request.method == "POST" \
        else ObjectionForm()
    if request.method == "POST":
        if form.validate():
            operations.file_objection(notice, form, current_user)
            flash(_("Objection received; it will be reviewed."), "success")
            return redirect(done, 303)
        return render_template("notices/objection.html", notice=notice, heading=heading, action=action,
                               form=form), 422
    return render_template("notices/objection.html", notice=notice, heading=heading, action=action, form=form)
