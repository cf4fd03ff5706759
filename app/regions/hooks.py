"""Regions: the ``flask regions load`` command."""


def register(app) -> None:
    import click
    from flask.cli import AppGroup

    regions_cli = AppGroup("regions", help="Administrative regions (行政区划).")

    @regions_cli.command("load")
    def load():
        """Add the shipped administrative divisions that are missing (keeps existing rows)."""
        from ..extensions import db
        from .operations import ensure_regions
        added = ensure_regions()
        db.session.commit()
        click.echo(f"Regions: {added} added")

    app.cli.add_command(regions_cli)
