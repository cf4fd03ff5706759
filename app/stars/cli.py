"""`flask stars ...`: load the indicator catalogue as evaluation schemes."""
import click
from flask.cli import AppGroup

from ..extensions import db
from . import catalogue

stars_cli = AppGroup("stars", help="Star rating of cloud enterprises.")


@stars_cli.command("load-catalogue")
@click.argument("path", required=False)
@click.option("--force", is_flag=True, help="Make a new scheme version even where one exists.")
def load_catalogue(path, force):
    """Load the indicator catalogue (default: the bundled YAML) as one scheme per enterprise type."""
    data = catalogue.read_catalogue(path) if path else catalogue.read_catalogue()
    schemes = catalogue.load_catalogue(data, force=force, source=path or catalogue.CATALOGUE.name)
    db.session.commit()
    for s in schemes:
        n = sum(len(d.indicators) for d in s.dimensions)
        click.echo(f"{s.enterprise_type} v{s.version}: {len(s.dimensions)} tables, {n} indicators")
    if not schemes:
        click.echo("every enterprise type already has a scheme (use --force for new versions)")
