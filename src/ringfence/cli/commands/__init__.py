"""One module per command group; :func:`register` adds them all to the application."""

from __future__ import annotations

import typer

from ringfence.cli.commands import demo, init, keys, protect, reveal, risk, scan, synth


def register(app: typer.Typer) -> None:
    app.command("init")(init.init)
    app.command("synth")(synth.synth)
    app.command("scan")(scan.scan)
    app.command("protect")(protect.protect)
    app.command("reveal")(reveal.reveal)
    app.command("risk")(risk.risk)
    app.command("demo")(demo.demo)
    app.add_typer(keys.app, name="keys")
