"""``flask --app hiring retention``: anonymise candidates whose consent to be kept has expired."""

import click
from flask.cli import with_appcontext

from hiring.retention import anonymise_expired, consent_months, expired_consents
from models import db


@click.command("retention")
@with_appcontext
@click.option("--apply", "apply_changes", is_flag=True, help="Anonymise them (without it: only list them).")
def retention_command(apply_changes: bool) -> None:
    """List the candidates whose consent to be kept has expired; with --apply, anonymise them."""
    if apply_changes:
        count = anonymise_expired()
        db.session.commit()
        click.echo(f"Anonymised {count} candidate{'' if count == 1 else 's'} whose consent had expired.")
        return
    rows = expired_consents()
    click.echo(
        f"Dry run, nothing changed. Consent lasts {consent_months()} months after the last contact "
        "unless a record gives its own expiry."
    )
    for row in rows:
        click.echo(f"  #{row.id}  {row.name}  expired {row.expires_on}: {row.why}")
    click.echo(f"{len(rows)} candidate{'' if len(rows) == 1 else 's'} would be anonymised.")
    if rows:
        click.echo("Run again with --apply to anonymise them.")
