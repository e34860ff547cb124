"""`reel users ...` and `reel tokens ...`: operators of the UI and API tokens for scripts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
import orjson

from reel.accounts import check_password, create_operator, issue_token
from reel.cli.common import open_stores_from_options, store_options
from reel.clock import Clock
from reel.errors import ReelError
from reel.storage.factory import open_operator_store
from reel.storage.operator_store import ROLES, Operator, OperatorStore
from reel.storage.session_store import SessionStore


@contextmanager
def _stores(options: dict[str, object]) -> Iterator[tuple[SessionStore, OperatorStore, Clock]]:
    settings, sessions, clock = open_stores_from_options(options)
    try:
        operators = open_operator_store(settings.resolved_database_url)
    except BaseException:
        sessions.close()
        raise
    try:
        yield sessions, operators, clock
    finally:
        operators.close()
        sessions.close()


def read_password() -> str:
    """The new password: prompted twice on a terminal, else one line of stdin; never empty."""
    if sys.stdin.isatty():
        password = str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    else:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    try:
        return check_password(password)
    except ReelError as exc:
        raise click.UsageError(f"{exc.message} (the password is read from stdin)") from None


def _operator_doc(operator: Operator) -> dict[str, object]:
    return {
        "id": operator.id,
        "name": operator.name,
        "role": operator.role,
        "app_ids": None if operator.app_ids is None else list(operator.app_ids),
        "disabled": operator.disabled,
        "created_at": operator.created_at,
    }


@click.group("users")
def users_group() -> None:
    """Manage operators (the people who log in to Reel)."""


@users_group.command("create")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(ROLES), required=True, help="admin: everything; viewer: search and play."
)
@click.option(
    "--app", "app_ids", multiple=True, help="Limit to this application id (repeatable; default all)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the operator as JSON.")
@store_options
def create_user_command(
    name: str, role: str, app_ids: tuple[str, ...], as_json: bool, **options: object
) -> None:
    """Create an operator; the password is read from stdin (prompted twice on a terminal)."""
    with _stores(options) as (sessions, operators, clock):
        for app_id in app_ids:
            if sessions.application(app_id) is None:
                raise click.BadParameter(
                    f"no application {app_id!r} (see `reel apps list`)", param_hint="--app"
                )
        if operators.operator_by_name(name) is not None:
            raise click.UsageError(f"an operator named {name!r} already exists")
        password = read_password()
        try:
            operator = create_operator(
                operators, name, role, password, now_ms=clock.now_ms(), app_ids=tuple(app_ids) or None
            )
        except ReelError as exc:
            raise click.UsageError(exc.message) from None
    if as_json:
        click.echo(orjson.dumps(_operator_doc(operator)).decode())
    else:
        click.echo(f"Created {operator.role} {operator.name} ({operator.id}).")


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@store_options
def list_users_command(as_json: bool, **options: object) -> None:
    """List operators."""
    with _stores(options) as (_sessions, operators, _clock):
        for operator in operators.operators():
            if as_json:
                click.echo(orjson.dumps(_operator_doc(operator)).decode())
            else:
                apps = "all apps" if operator.app_ids is None else " ".join(operator.app_ids)
                state = "\tdisabled" if operator.disabled else ""
                click.echo(f"{operator.id}\t{operator.name}\t{operator.role}\t{apps}{state}")


@click.group("tokens")
def tokens_group() -> None:
    """Manage API tokens (for scripts: `Authorization: Bearer reel_...`)."""


def _token_owner(operators: OperatorStore, user: str | None) -> Operator:
    if user is not None:
        found = operators.operator_by_name(user)
        if found is None:
            raise click.BadParameter(
                f"no operator named {user!r} (see `reel users list`)", param_hint="--user"
            )
        return found
    admins = [o for o in operators.operators() if o.is_admin and not o.disabled]
    if len(admins) != 1:
        raise click.UsageError("--user is required unless exactly one admin exists")
    return admins[0]


@tokens_group.command("create")
@click.argument("name")
@click.option("--user", default=None, help="Operator the token acts as (default: the only admin).")
@click.option("--days", type=click.IntRange(min=1), default=None, help="Expire after this many days.")
@click.option("--json", "as_json", is_flag=True, help="Print the token and its id as JSON.")
@store_options
def create_token_command(
    name: str, user: str | None, days: int | None, as_json: bool, **options: object
) -> None:
    """Create an API token and print it; it is shown only this once."""
    with _stores(options) as (_sessions, operators, clock):
        owner = _token_owner(operators, user)
        now_ms = clock.now_ms()
        expires_at = None if days is None else now_ms + days * 24 * 60 * 60 * 1000
        try:
            token, secret = issue_token(operators, owner, name, now_ms=now_ms, expires_at=expires_at)
        except ReelError as exc:
            raise click.UsageError(exc.message) from None
    if as_json:
        doc = {
            "id": token.id,
            "name": token.name,
            "operator": owner.name,
            "token": secret,
            "created_at": token.created_at,
            "expires_at": token.expires_at,
        }
        click.echo(orjson.dumps(doc).decode())
    else:
        click.echo(secret)


@tokens_group.command("list")
@click.option("--user", default=None, help="Only this operator's tokens.")
@store_options
def list_tokens_command(user: str | None, **options: object) -> None:
    """List API tokens (ids and names; the secrets are not stored)."""
    with _stores(options) as (_sessions, operators, _clock):
        owner_id = None if user is None else _token_owner(operators, user).id
        names = {o.id: o.name for o in operators.operators()}
        for token in operators.tokens(owner_id):
            used = "never used" if token.last_used_at is None else f"last used {token.last_used_at}"
            click.echo(f"{token.id}\t{token.name}\t{names.get(token.operator_id, '?')}\t{used}")


@tokens_group.command("revoke")
@click.argument("token_id")
@store_options
def revoke_token_command(token_id: str, **options: object) -> None:
    """Revoke an API token by id; it stops working at once."""
    with _stores(options) as (_sessions, operators, _clock):
        if not operators.revoke_token(token_id):
            raise click.BadParameter(f"no token {token_id!r} (see `reel tokens list`)", param_hint="TOKEN_ID")
    click.echo(f"Revoked {token_id}.")
