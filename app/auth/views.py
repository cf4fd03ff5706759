from urllib.parse import urlparse

from ..engine.guards import safe_next
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from . import services
from .forms import ChangePasswordForm, LoginForm
from .throttle import password_checks

bp = Blueprint("auth", __name__)


def _login_failed(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@password_checks(_login_failed)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            services.start_session(user)
            return redirect(safe_next(request.args.get("next")))
        flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    services.end_session(current_user)
    return redirect(url_for("public.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    form.new_password.description = _("At least %(n)d characters. Changing it logs out your other sessions "
                                      "and revokes your API tokens.", n=current_app.config["PASSWORD_MIN_LENGTH"])
    status = 200
    if form.validate_on_submit():
        try:
            revoked = services.change_password(current_user, form.current_password.data, form.new_password.data)
        except services.PasswordError as exc:
            for name, messages in exc.errors.items():
                getattr(form, name).errors = [str(m) for m in messages]
            status = 422
        else:
            services.start_session(current_user)  # this session goes on with the new nonce
            flash(_("Your password was changed. Your other sessions were logged out and %(n)d API "
                    "token(s) revoked.", n=revoked), "success")
            return redirect(url_for("auth.change_password"))
    elif form.errors:
        status = 422
    return render_template("auth/password.html", form=form), status


@bp.post("/language/<code>")
def language(code):
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
    return redirect(safe_next(request.form.get("next") or request.referrer and urlparse(request.referrer).path))
