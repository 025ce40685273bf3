"""`clausewatch untrack SITE_OR_URL`: stop tracking, and forget what was recorded.

It deletes history that may not be recoverable (live captures are not in any archive),
so it asks first; `--yes` answers for scripts.
"""

from __future__ import annotations

import click

from api.commands.common import CommandError
from api.commands.storecli import admit, db_option, open_store
from api.config import Settings
from db.removal import remove_document, remove_site


@click.command("untrack")
@click.argument("target", metavar="SITE_OR_URL")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@db_option
def command(target: str, yes: bool, db_path: str | None) -> None:
    """Stop tracking a site, or one document of it, and delete its history."""
    settings = Settings.from_env(db_path=db_path)
    # Named as admission names them (punycode, lower case): what is tracked was admitted.
    named = admit(target, allow_private=True)
    with open_store(settings) as store:
        if named.url is not None:
            documents = store.documents_by_url(named.url)
            if not documents:
                raise CommandError(f"{target} is not tracked (see `clausewatch sites`)")
            what = f"{target} (document {', '.join(str(d['id']) for d in documents)})"
            site = None
        else:
            site = store.get_site(named.site)
            if site is None:
                raise CommandError(f"{target} is not tracked (see `clausewatch sites`)")
            documents = store.documents_of_site(site["id"])
            what = f"{site['site']} and its {len(documents)} document(s)"
        versions = sum(len(store.versions_of_document(d["id"])) for d in documents)
        if not yes:
            click.confirm(
                f"Delete {what} with {versions} recorded version(s)?", abort=True, err=True
            )
        if site is not None:
            remove_site(store, site["id"])
        else:
            for d in documents:
                remove_document(store, d["id"])
    click.echo(f"No longer tracking {what}; {versions} version(s) deleted")
