#!/usr/bin/env python
"""Django's command-line utility; ``innobridge`` (innobridge/cli.py) wraps the same commands."""

from innobridge.cli import main

if __name__ == "__main__":
    main()
