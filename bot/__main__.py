"""`python -m bot`: the postbode command line."""

from bot.cli import main

main()
