"""Watch end to end without servers: the inventory scan records, detections on generated logs with
injected insiders (labels by construction), the command's JSON contract and exit codes, canaries, the
state migration, and the HTML report in headless Chromium."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from bench.watch_gen import START, generate, inventory_frame, write_pgaudit_stderr

from ringfence.state.migrations import LATEST, MIGRATIONS
from ringfence.state.store import open_store
from ringfence.synth import SynthConfig, generate_platform
from ringfence.watch.detect import WatchConfig
from ringfence.watch.follow import follow
from ringfence.watch.inventory import PersonalTables, load_inventory, table_name_of
from ringfence.watch.run import watch_logs
from tests.cli.helpers import run_cli
from tests.report.test_scan_page import _chromium, _headless

# ---------------------------------------------------------------- detection on generated logs


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    gen = generate(users=150, days=50, seed=5, per_kind=3)
    log = tmp_path_factory.mktemp("watch") / "postgresql.log"
    write_pgaudit_stderr(gen, log)
    result = watch_logs([log], PersonalTables.from_inventory(inventory_frame()), config=WatchConfig())
    return gen, result


def test_injected_dumps_exports_enumerations_and_night_reads_are_caught(generated: tuple[Any, Any]) -> None:
    gen, result = generated
    raised = {(a.user, a.window[0][:10]) for a in result.alerts if a.severity in ("medium", "high")}
    for kind in ("dump", "export", "enumeration", "off_hours"):
        for inst in gen.scenarios.filter(pl.col("kind") == kind).iter_rows(named=True):
            days = {
                (START + dt.timedelta(days=d)).isoformat()
                for d in range(inst["first_day"], inst["last_day"] + 1)
            }
            assert any((inst["user"], d) in raised for d in days), (kind, inst["user"])


def test_ordinary_user_days_rarely_alarm(generated: tuple[Any, Any]) -> None:
    """At the default threshold, under 1% of ordinary active user-days raise a medium or high alert."""
    gen, result = generated
    insiders = set(gen.scenarios.get_column("user").to_list())
    ordinary = result.scored.filter(~pl.col("user").is_in(list(insiders)) & pl.col("warm"))
    alarms = {
        (a.user, a.window[0][:10]) for a in result.alerts if a.severity != "low" and a.user not in insiders
    }
    assert ordinary.height > 2000
    assert len(alarms) / ordinary.height < 0.01


def test_an_alert_names_tables_personal_columns_and_rows(generated: tuple[Any, Any]) -> None:
    gen, result = generated
    dumper = gen.scenarios.filter(pl.col("kind") == "dump").get_column("user")[0]
    alert = next(a for a in result.alerts if a.user == dumper and a.kind == "volume")
    assert "customers" in alert.tables  # every personal table the user read that day
    assert {"customers.name", "customers.phone", "customers.email", "customers.address"} <= set(alert.columns)
    assert "customers.segment" not in alert.columns  # not personal
    assert alert.rows > 10_000 and "personal rows" in alert.evidence


# ---------------------------------------------------------------- inventory, migration


def test_table_names_of_scanned_sources() -> None:
    assert table_name_of("data/customers.csv") == "customers"
    assert table_name_of("postgresql table public.customers") == "customers"
    assert table_name_of("mysql table Shop.Orders") == "orders"


def test_the_inventory_migration_applies_whatever_versions_the_store_already_has(tmp_path: Path) -> None:
    """A store that got later versions but not an earlier one (a branch without 5) takes it when it
    arrives, and the reverse."""
    assert [m.version for m in MIGRATIONS] == sorted(m.version for m in MIGRATIONS) and LATEST >= 7
    store = open_store("sqlite:///state.db", tmp_path)
    assert store.schema_version() == LATEST
    store.execute("DELETE FROM schema_migrations WHERE version = 7")
    store.execute("DROP TABLE inventory")
    store.execute("DROP TABLE canaries")
    assert store.migrate() == LATEST
    assert store.query("SELECT COUNT(*) FROM inventory") == [(0,)]
    # a version below one already applied (4 here, as 5 will be once it lands) is applied all the same
    store.execute("DELETE FROM schema_migrations WHERE version = 4")
    store.execute("DROP TABLE consents")
    store.execute("DROP TABLE recipients")
    assert store.migrate() == LATEST
    assert store.query("SELECT COUNT(*) FROM consents") == [(0,)]
    assert [v for (v,) in store.query("SELECT version FROM schema_migrations ORDER BY version")] == [
        m.version for m in MIGRATIONS
    ]
    store.close()


def _customers_csv(path: Path) -> Path:
    platform = generate_platform(SynthConfig(customers=600, transactions=10, seed=2))
    platform.customers.select("customer_id", "name", "phone", "email", "city").write_csv(path)
    return path


@pytest.fixture
def scanned(workspace: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    data = _customers_csv(tmp_path / "customers.csv")
    assert run_cli(capsys, "scan", str(data), "--workspace", str(workspace.root), "--json")[0] == 0
    return workspace


def test_scan_records_the_inventory_and_inventory_lists_it(
    scanned: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = scanned
    code, out, _ = run_cli(capsys, "inventory", "--workspace", str(workspace.root), "--json")
    assert code == 0
    columns = {c["column_name"]: c for c in json.loads(out)["columns"]}
    assert columns["phone"]["entity"] == "PHONE_NUMBER" and columns["phone"]["table_name"] == "customers"
    assert columns["phone"]["table_rows"] == 600
    assert columns["city"]["entity"] is None or columns["city"]["entity"] != "PHONE_NUMBER"
    # a rescan replaces the source's rows instead of adding to them
    run_cli(capsys, "scan", str(tmp_path / "customers.csv"), "--workspace", str(workspace.root), "--json")
    store = workspace.state()
    assert load_inventory(store).height == len(columns)
    store.close()


# ---------------------------------------------------------------- the command


def _jsonl_log(path: Path, *, evil_user: str = "insider") -> Path:
    """Six weeks of four users reading a few customers a day; on the last day one of them reads all."""
    rows = []
    start = dt.datetime(2026, 3, 2, 9)
    users = ["ana", "ben", "chi", evil_user]
    for day in range(42):  # 42 days x 4 users x 3 statements
        for u, user in enumerate(users):
            for k in range(3):
                when = start + dt.timedelta(days=day, hours=k, minutes=u)
                rows.append(
                    {
                        "user": user,
                        "time": when.isoformat(),
                        "client": "10.1.0.7",
                        "statement": f"SELECT name, phone FROM customers WHERE city = 'c{k}' LIMIT 20",
                        "tables": ["customers"],
                        "rows": 15 + (day * 7 + u * 3 + k) % 9,
                    }
                )
    last = start + dt.timedelta(days=41, hours=5)
    rows.append(
        {
            "user": evil_user,
            "time": last.isoformat(),
            "client": "10.1.0.99",
            "statement": "SELECT * FROM customers",
            "tables": ["customers"],
            "rows": 600,
        }
    )
    rows.append(
        {
            "user": evil_user,
            "time": (last + dt.timedelta(minutes=3)).isoformat(),
            "statement": "SELECT * FROM customers INTO OUTFILE '/tmp/c.csv'",
            "tables": ["customers"],
        }
    )
    rows.append(
        {
            "user": "ana",
            "time": (last + dt.timedelta(minutes=9)).isoformat(),
            "statement": "SELECT name FROM customers WHERE customer_id = 'C-4242-canary'",
            "rows": 1,
        }
    )
    text = "\n".join(json.dumps(r) for r in rows) + "\n{not json\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_watch_json_contract_and_exit_codes(
    scanned: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = _jsonl_log(tmp_path / "proxy.jsonl")
    code, out, err = run_cli(capsys, "watch", str(log), "--workspace", str(scanned.root), "--json")
    assert code == 1, err
    doc = json.loads(out)
    assert set(doc) >= {"events", "users", "malformed_lines", "alerts"}
    assert (doc["events"], doc["users"], doc["malformed_lines"]) == (42 * 4 * 3 + 3, 4, 1)
    for alert in doc["alerts"]:
        assert set(alert) == {"user", "kind", "severity", "window", "tables", "columns", "rows", "evidence"}
        assert alert["severity"] in ("low", "medium", "high")
    serious = [a for a in doc["alerts"] if a["severity"] != "low"]
    assert {a["user"] for a in serious} == {"insider"}
    assert {a["kind"] for a in serious} >= {"volume", "export"}
    dump = next(a for a in serious if a["kind"] == "volume")
    assert dump["rows"] >= 600 and dump["tables"] == ["customers"]
    assert "customers.phone" in dump["columns"]
    # --since keeps the history as baseline and alerts only from then on
    code, out, _ = run_cli(
        capsys, "watch", str(log), "-w", str(scanned.root), "--json", "--since", "2026-04-13"
    )
    assert json.loads(out)["alerts"] == [] and code == 0
    # bad options and missing inputs: one line, exit 2
    for argv in (["--format", "syslog"], ["--fail-on", "severe"], ["--since", "yesterday"]):
        code, out, err = run_cli(capsys, "watch", str(log), "-w", str(scanned.root), *argv)
        assert code == 2 and out == "" and err.count("\n") == 1, err
    code, _, err = run_cli(capsys, "watch", str(tmp_path / "none.log"), "-w", str(scanned.root))
    assert code == 2 and "no such log" in err


def test_watch_without_an_inventory_says_to_scan_first(
    workspace: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = _jsonl_log(tmp_path / "proxy.jsonl")
    code, out, err = run_cli(capsys, "watch", str(log), "--workspace", str(workspace.root), "--json")
    assert code == 2 and out == "" and "ringfence scan" in err


def test_a_statement_naming_a_canary_raises_a_high_alert(
    scanned: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys, "canary", "plant", "C-4242-canary", "--label", "q2", "-w", str(scanned.root), "--json"
    )
    assert code == 0 and json.loads(out) == {"planted": 1, "label": "q2"}
    state = (scanned.root / "state.db").read_bytes() if (scanned.root / "state.db").exists() else b""
    assert b"C-4242-canary" not in state  # only its keyed digest is kept
    log = _jsonl_log(tmp_path / "proxy.jsonl")
    code, out, _ = run_cli(capsys, "watch", str(log), "-w", str(scanned.root), "--json")
    canary = [a for a in json.loads(out)["alerts"] if a["kind"] == "canary"]
    assert [(a["user"], a["severity"]) for a in canary] == [("ana", "high")]
    assert "C-4242" not in canary[0]["evidence"]


def test_follow_raises_the_alert_while_the_log_grows(tmp_path: Path) -> None:
    """A thread writes six weeks of ordinary history, then the insider's dump, into a growing log; the
    follower raises the dump's alert once, after it was written, and nothing before."""
    source = _jsonl_log(tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    history, today = source[:-4], source[-4:-1]  # the insider's two statements and ana's lookup
    path = tmp_path / "growing.jsonl"
    path.write_text("".join(history), encoding="utf-8")
    personal = PersonalTables.from_inventory(
        pl.DataFrame(
            {
                "source": ["customers.csv"] * 3,
                "table_name": ["customers"] * 3,
                "column_name": ["name", "phone", "city"],
                "entity": ["PERSON_NAME", "PHONE_NUMBER", None],
                "confidence": [0.99, 0.99, 0.0],
                "table_rows": [600] * 3,
                "scanned_at": ["2026-03-01T00:00:00"] * 3,
            }
        )
    )
    written = threading.Event()

    def writer() -> None:
        time.sleep(0.3)
        for line in today:  # appended one by one, as a server would
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line)
            time.sleep(0.05)
        written.set()

    thread = threading.Thread(target=writer)
    thread.start()
    seen: list[tuple[bool, list[str]]] = []
    checks: list[bool] = []

    def stop() -> bool:  # one more poll after the writer finished
        checks.append(written.is_set())
        return checks[-2:] == [True, True]

    for new, _ in follow([path], personal, interval=0.02, stop=stop):
        seen.append((written.is_set(), [f"{a.user}:{a.kind}" for a in new if a.severity != "low"]))
    thread.join()
    raised = [k for _, kinds in seen for k in kinds]
    assert "insider:volume" in raised and "insider:export" in raised
    assert len(raised) == len(set(raised))  # each alert raised once
    assert seen[0][1] == []  # the history alone raised nothing


@pytest.mark.browser
def test_watch_report_renders_in_headless_chromium_and_escapes_names(
    scanned: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if _chromium() is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    evil = "<script>alert(1)</script>"
    log = _jsonl_log(tmp_path / "proxy.jsonl", evil_user=evil)
    page = tmp_path / "watch.html"
    code, _, err = run_cli(capsys, "watch", str(log), "-w", str(scanned.root), "--report", str(page))
    assert code == 1, err
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    dom = _headless(tmp_path, "--dump-dom", f"file://{page}")
    assert dom.returncode == 0, dom.stderr[-500:]
    assert "<title>ringfence watch report</title>" in dom.stdout
    assert dom.stdout.count('class="timeline"') == 4  # one timeline per user
    assert dom.stdout.count("<svg") >= 4 and "<script" not in dom.stdout
