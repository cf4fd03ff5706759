from . import bp  # noqa
