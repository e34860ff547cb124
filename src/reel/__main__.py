"""Allow `python -m reel`."""

from reel.cli.main import main

main()
