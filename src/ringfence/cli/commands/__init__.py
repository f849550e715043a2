"""One module per command group; :func:`register` adds them all to the application."""

from __future__ import annotations

import typer

from ringfence.cli.commands import (
    consent,
    demo,
    init,
    keys,
    ledger,
    protect,
    recipients,
    release,
    reveal,
    risk,
    scan,
    synth,
    trace,
    watch,
)


def register(app: typer.Typer) -> None:
    app.command("init")(init.init)
    app.command("synth")(synth.synth)
    app.command("scan")(scan.scan)
    app.command("protect")(protect.protect)
    app.command("reveal")(reveal.reveal)
    app.command("risk")(risk.risk)
    app.command("release")(release.release)
    app.command("trace")(trace.trace)
    app.command("demo")(demo.demo)
    app.command("watch")(watch.watch)
    app.command("inventory")(watch.inventory)
    app.add_typer(watch.canary_app, name="canary")
    app.add_typer(keys.app, name="keys")
    app.add_typer(recipients.app, name="recipients")
    app.add_typer(consent.app, name="consent")
    app.add_typer(ledger.app, name="ledger")
    app.add_typer(trace.reference_app, name="reference")
