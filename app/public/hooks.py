"""Public pages."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from ..auth.permissions import everyone, is_anonymous, is_enterprise, is_signed_in, is_staff, nav_item
    from .views import bp
    app.register_blueprint(bp)
    nav_item("public.decisions", _l("Published decisions"), everyone, order=130)
    # The complaint and rating domains' links. They belong in app/complaints/hooks.py and
    # app/rating/hooks.py; registered here only while those packages are being restructured
    # on another branch (move them at merge: same calls, same orders).
    nav_item("complaints.mine", _l("Complaints"), is_signed_in, order=20)
    nav_item("complaints.new", _l("File a complaint"), lambda u: is_anonymous(u) or is_enterprise(u), order=30)
    nav_item("rating.cycles", _l("Rating cycles"), is_staff, order=50)
    nav_item("rating.reviews", _l("Rating adjustment reviews"), is_staff, order=55)
    nav_item("rating.notices", _l("Public notices"), everyone, order=110)
    nav_item("rating.recommended", _l("Recommended agencies"), everyone, order=120)
