"""``manage.py register_frontend_client``: register the Vue.js front end as an OAuth2 client.

A public client (no secret) for the authorization code flow with PKCE, at the redirect
URIs given. Run it again with ``--client-id`` to change the name or redirect URIs.
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from stockyard.accounts.services import oauth2_public_client_register
from stockyard.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Register (or update) the front end as a public OAuth2 client; prints its client id."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--redirect-uri",
            action="append",
            required=True,
            dest="redirect_uris",
            help="Where /o/authorize/ may send the code, exactly (repeat for several).",
        )
        parser.add_argument("--name", default="Stockyard front end")
        parser.add_argument(
            "--client-id", default="", help="Update this client, or create it with this id."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            client, created = oauth2_public_client_register(
                name=options["name"],
                redirect_uris=options["redirect_uris"],
                client_id=options["client_id"],
            )
        except ApplicationError as exc:
            problems = [
                f"{field}: {message}"
                for field, messages in exc.errors.items()
                for message in messages
            ]
            raise CommandError("; ".join(problems) or exc.detail) from exc
        action = "Registered" if created else "Updated"
        self.stdout.write(f"{action} public client {client.name!r}.")
        self.stdout.write(f"client_id: {client.client_id}")
