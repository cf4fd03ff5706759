"""`flask engine ...`: operations commands."""
from datetime import datetime

import click
from flask.cli import AppGroup

from ..extensions import db
from . import definitions, runtime
from .errors import EngineError

engine_cli = AppGroup("engine", help="Workflow engine operations.")


@engine_cli.command("tick")
@click.option("--at", "at", default=None, help="ISO time to sweep as if it were now (e.g. 2026-12-10T09:00+08:00).")
def tick(at):
    """Fire due timers now, or as if at --at."""
    moment = None
    if at:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError as exc:
            raise click.BadParameter(f"not an ISO date-time: {at}") from exc
        if moment.tzinfo is None:
            from zoneinfo import ZoneInfo
            from flask import current_app
            moment = moment.replace(tzinfo=ZoneInfo(current_app.config["BUSINESS_TIMEZONE"]))
    n = runtime.sweep_timers(moment)
    click.echo(f"timers fired in {n} case(s)")


@engine_cli.command("deploy")
@click.argument("path", required=False)
def deploy(path):
    """Load the BPMN files of a directory (default: bpmn/) as process versions."""
    from pathlib import Path
    from .. import ROOT
    try:
        results = definitions.deploy_directory(Path(path) if path else ROOT / "bpmn")
    except definitions.DefinitionError as exc:
        db.session.rollback()
        raise click.ClickException("; ".join(str(p) for p in exc.problems))
    db.session.commit()
    for definition, created in results:
        click.echo(f"{definition.key} v{definition.version} {'deployed' if created else 'unchanged'}")


@engine_cli.command("doctor")
@click.option("--rerun", "do_rerun", is_flag=True, help="Re-run the engine on every stuck case listed.")
@click.option("--case", "case_ids", multiple=True, type=int, help="Only this case (repeatable).")
def doctor(do_rerun, case_ids):
    """List running cases with no open task, no waiting timer and no pending message."""
    from . import doctor as engine_doctor
    stuck = [s for s in engine_doctor.stuck_cases() if not case_ids or s.id in case_ids]
    if not stuck:
        click.echo("no stuck cases")
        return
    for s in stuck:
        click.echo(f"case {s.id}\t{s.process_key}\t{s.updated_at:%Y-%m-%d %H:%M}\t{s.title}\t"
                   f"waiting in: {', '.join(s.waiting_for) or '-'}")
    if do_rerun:
        for s in stuck:
            try:
                moved = engine_doctor.rerun(s.id)
            except EngineError as exc:
                click.echo(f"case {s.id}: {exc.message}")
                continue
            click.echo(f"case {s.id}: {'moved on' if moved else 'still stuck'}")
    else:
        click.echo(f"{len(stuck)} stuck case(s); --rerun re-runs the engine on them")
