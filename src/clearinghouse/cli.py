"""The `clearinghouse` command: Django's manage.py for the installed package."""

import os
import sys


def main() -> None:
    """Run a management command with the clearinghouse settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clearinghouse.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
