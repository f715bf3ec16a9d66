"""Make sure a secretariat account exists, without ever blocking a script."""

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clearinghouse.core import accounts


class Command(BaseCommand):
    help = (
        "Create the first secretariat account from CLEARINGHOUSE_ADMIN_USERNAME, "
        "CLEARINGHOUSE_ADMIN_EMAIL and CLEARINGHOUSE_ADMIN_PASSWORD, or by asking "
        "on a terminal. Without either it only says how, and never waits."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-input",
            action="store_true",
            help="Never prompt, even on a terminal.",
        )

    def handle(self, *args, no_input: bool = False, **options):
        accounts.secretariat_group_ensure()
        if accounts.secretariat_exists():
            self.stdout.write(
                "A secretariat account exists: sign in at http://127.0.0.1:8000/admin/"
            )
            return
        username = os.environ.get("CLEARINGHOUSE_ADMIN_USERNAME", "")
        email = os.environ.get("CLEARINGHOUSE_ADMIN_EMAIL", "")
        password = os.environ.get("CLEARINGHOUSE_ADMIN_PASSWORD", "")
        if not (username and password):
            if no_input or not sys.stdin.isatty():
                self.stdout.write(
                    "No secretariat account yet. Create one with:\n"
                    "  CLEARINGHOUSE_ADMIN_USERNAME=… CLEARINGHOUSE_ADMIN_EMAIL=… "
                    "CLEARINGHOUSE_ADMIN_PASSWORD=… .venv/bin/clearinghouse "
                    "ensure_secretariat\n"
                    "or run `.venv/bin/clearinghouse ensure_secretariat` on a terminal."
                )
                return
            username = input("Secretariat username: ").strip()
            email = input("E-mail: ").strip()
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ; nothing was created.")
        try:
            accounts.secretariat_user_create(
                username=username, email=email, password=password
            )
        except ValidationError as error:
            raise CommandError(
                "Account not created: " + " ".join(error.messages)
            ) from error
        self.stdout.write(
            f"Secretariat account “{username}” created: sign in at "
            "http://127.0.0.1:8000/admin/"
        )
