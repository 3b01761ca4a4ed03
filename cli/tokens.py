"""`himpun tokens`: create, list and revoke admin API tokens."""

from __future__ import annotations

import datetime as dt

import typer

from harvester.settings import load_settings
from harvester.store import Store
from server.admin.tokens import ROLES, create_token, list_tokens, revoke_token

app = typer.Typer(help="Token API admin / admin API tokens.", no_args_is_help=True)


def _store() -> Store:
    store = Store.from_settings(load_settings())
    store.migrate()
    return store


@app.command("create")
def create(
    name: str = typer.Option(..., help="Pemegang token / holder of the token, e.g. an e-mail address."),
    role: str = typer.Option(..., help="Peran / role: admin, operator or viewer."),
    walidata: list[str] = typer.Option([], help="Walidata yang boleh diakses / Walidata the token is limited to; repeat for several."),
    expires_days: float = typer.Option(90, min=0, help="Masa berlaku dalam hari / days until the token expires; 0 for never."),
) -> None:
    """Buat token / create a token and print it once; only its hash is stored."""
    if role not in ROLES:
        typer.echo(f"Peran tidak valid / invalid role {role!r}: use {', '.join(ROLES)}", err=True)
        raise typer.Exit(code=2)
    if role == "operator" and not walidata:
        typer.echo("Token operator butuh --walidata / an operator token needs --walidata", err=True)
        raise typer.Exit(code=2)

    store = _store()
    expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_days) if expires_days else None
    raw, token = create_token(store, name=name, role=role, walidata=walidata,  # type: ignore[arg-type]
                              expires_at=expires_at, created_by="cli")
    store.close()
    typer.echo(f"Token {token.id} untuk/for {token.name} ({token.role}); simpan sekarang, tidak ditampilkan lagi / "
               "store it now, it is not shown again:")
    typer.echo(raw)


@app.command("list")
def list_command() -> None:
    """Daftar token / list tokens with their status; the tokens themselves are not stored."""
    store = _store()
    now = store._now()
    for token in list_tokens(store):
        expires = token.expires_at.isoformat(timespec="minutes") if token.expires_at else "-"
        scope = ",".join(token.walidata) or "-"
        typer.echo(f"{token.id:5} {token.status(now):8} {token.role:9} {token.name:30} {scope:30} {expires}")
    store.close()


@app.command("revoke")
def revoke(token_id: int = typer.Argument(..., help="Id token / id shown by `himpun tokens list`.")) -> None:
    """Cabut token / revoke a token; it stops working at the next request."""
    store = _store()
    token = revoke_token(store, token_id)
    store.close()
    if token is None:
        typer.echo(f"Token {token_id} tidak ditemukan / not found", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"Token {token_id} ({token.name}) dicabut / revoked")
