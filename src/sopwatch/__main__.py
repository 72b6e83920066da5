"""``python -m sopwatch``: the same command line as the ``sopwatch`` script."""

from sopwatch.cli.main import main

if __name__ == "__main__":
    main()
