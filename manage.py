#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    from stockyard.audit.context import command_context

    argv = sys.argv if argv is None else argv
    with command_context(argv):  # the audit trail attributes the command's writes to it
        execute_from_command_line(argv)


if __name__ == "__main__":
    main()
