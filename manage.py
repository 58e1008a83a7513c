#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crosscheck.settings")
    from django.core.management import execute_from_command_line

    from crosscheck.env import exit_if_misconfigured

    exit_if_misconfigured()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
