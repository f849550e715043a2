"""``python -m ringfence`` runs the command line."""

from ringfence.cli.app import main

if __name__ == "__main__":
    main()
