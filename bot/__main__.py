"""`python -m bot`: the postbode command line."""

from bot.cli import main

# Guarded: the processes that parse a big scan import this module again (spawn).
if __name__ == "__main__":
    main()
