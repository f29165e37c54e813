"""The `jigsaw` console script: Django's management commands with Jigsaw's settings."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigsaw.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jigsaw", *sys.argv[1:]])


if __name__ == "__main__":
    main()
