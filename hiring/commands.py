"""Command-line tools: ``flask --app hiring <command>``."""

import sys

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from hiring.audit import record
from hiring.backup_commands import backup_command, restore_command
from hiring.demo import DEMO_SIGN_INS, EXTRA_PASSWORD, database_is_empty, demo_loaded, demo_summary, load_demo
from hiring.export_commands import export_cli
from hiring.fairness_commands import audit_command
from hiring.fit_commands import rank_command, train_command
from hiring.forms import password_problem
from hiring.import_commands import import_cli
from hiring.privacy_commands import retention_command
from models import Role, User, db, normalize_email


def read_password() -> str:
    """Read a password from a hidden prompt on a terminal, or one line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def create_user(email: str, name: str, role: Role, password: str) -> User:
    """Create an active user with a password, audited as done from the command line."""
    user = User(email=normalize_email(email), name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    record("user.created", user, details={"role": role.value, "via": "command line"})
    db.session.commit()
    return user


def print_demo_sign_ins() -> None:
    """Print the demo accounts and their passwords."""
    click.echo("Demo sign-ins (open http://127.0.0.1:5000 and use one of these):")
    for sign_in in DEMO_SIGN_INS:
        click.echo(f"  {sign_in.role.label:<12} {sign_in.email:<28} password: {sign_in.password}")
    click.echo(f"  Other demo colleagues use the password: {EXTRA_PASSWORD}")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True, help="The user's role.")
@click.option("--name", help="Display name (default: the part of the e-mail before @).")
def create_user_command(email: str, role: str, name: str | None) -> None:
    """Create a user. The password is read from a prompt or standard input, never from arguments."""
    if "@" not in email:
        raise click.BadParameter("not an e-mail address", param_hint="EMAIL")
    password = read_password()
    problem = password_problem(password, email)
    if problem:
        raise click.ClickException(problem)
    try:
        user = create_user(email, name or email.split("@")[0], Role(role), password)
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException(f"A user with the e-mail {normalize_email(email)} already exists.") from None
    click.echo(f"Created {user.role.value} {user.email}.")


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing (but print the sign-ins) if the database has data.")
@click.option("--seed", default=2026, show_default=True, help="Seed of the random generator.")
@click.option("--no-train", is_flag=True, help="Load the history but do not train the first fit model.")
def demo_command(if_empty: bool, seed: int, no_train: bool) -> None:
    """Fill an empty database with realistic demo data."""
    if not database_is_empty():
        if not if_empty:
            raise click.ClickException("The database already has data; demo data goes only into an empty one.")
        click.echo("The database already has data; no demo data loaded.")
        if demo_loaded():
            print_demo_sign_ins()
        return
    load_demo(seed, train=not no_train)
    click.echo(f"Loaded demo data: {demo_summary()}.")
    print_demo_sign_ins()


def init_commands(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(import_cli)
    app.cli.add_command(train_command)
    app.cli.add_command(rank_command)
    app.cli.add_command(retention_command)
    app.cli.add_command(audit_command)
    app.cli.add_command(export_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
