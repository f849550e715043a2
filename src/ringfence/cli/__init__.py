"""The ``ringfence`` command line: a thin layer of Typer commands over the library API."""
