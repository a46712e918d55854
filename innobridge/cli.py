"""The ``innobridge`` command: a thin wrapper over Django's manage.py.

``innobridge demo`` loads the demo data, ``innobridge serve`` runs gunicorn, and every other
Django command (``migrate``, ``import_xlsx``, ``export_xlsx`` …) works as with manage.py.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innobridge.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings: a bad environment stops here
    except ImproperlyConfigured as error:
        sys.exit(f"innobridge: {error}")
    args = list(sys.argv if argv is None else argv)
    args[0] = "innobridge"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
