"""Users, login and API tokens; the roles BPMN lanes may name."""


def register(app) -> None:
    from ..engine import registry
    from .roles import ORGANISATION_ROLES, ROLES
    from .views import bp
    registry.register_roles(ROLES, ORGANISATION_ROLES)
    app.register_blueprint(bp)
