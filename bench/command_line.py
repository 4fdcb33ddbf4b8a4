"""The command line answers in seconds (issue 24): `csflows po FILE --dry-run`, `csflows triage
FILE.eml` and `csflows vet FORM --no-gate`, each a new process as a person types it, with no
Prefect server configured and then with one running.

    python bench/command_line.py [--rounds 3]

Against the vetting latency bench's local stand-ins (Google, RDAP and the applicant's site
answering after 0.2 s, SMTP), a fresh store; the triage model already built on this machine (its
first build, about 70 s, happens once). The baseline, measured in the same run, is `csflows
--help`: a process that imports the command line and does nothing. Prints each command's median
seconds, its ratio to the baseline, and the goal (at most 10 s).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.vetting_latency import fresh_store, prefect_server, world  # noqa: E402
from csflows.paths import PROJECT_ROOT  # noqa: E402

GOAL_SECONDS = 10
CSFLOWS = str(Path(sys.executable).with_name("csflows"))
DEMO = PROJECT_ROOT / "config" / "demo"


def commands(form: Path) -> dict[str, list[str]]:
    return {
        "csflows --help (baseline)": ["--help"],
        "po FILE --dry-run": [
            "po",
            str(DEMO / "purchase_orders" / "1-level4-craft-hobby.json"),
            "--dry-run",
        ],
        "triage FILE.eml": ["triage", str(DEMO / "tickets" / "1-unclear.eml")],
        "vet FORM --no-gate": ["vet", str(form), "--no-gate"],
    }


def seconds(arguments: list[str], api: str | None, rounds: int) -> float:
    """The median wall-clock of `csflows ARGUMENTS` as a new process; fails loudly if it does."""
    env = dict(os.environ, CSFLOWS_ALLOW_PRIVATE_NETWORKS="1")
    env.pop("PREFECT_API_URL", None)
    if api:
        env["PREFECT_API_URL"] = api
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        done = subprocess.run([CSFLOWS, *arguments], env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        # 1: a decision a person must see; else a step that needs the server or a deployment
        # served there (the unclear ticket's review run), said in one line
        said = done.stderr.strip().splitlines()
        if done.returncode not in (0, 1) and not (len(said) == 1 and said[0].startswith("error:")):
            raise SystemExit(f"csflows {' '.join(arguments)} failed:\n{done.stderr[-2000:]}")
    return statistics.median(times)


def measure(form: Path, api: str | None, rounds: int) -> dict[str, float]:
    return {name: seconds(arguments, api, rounds) for name, arguments in commands(form).items()}


def report(label: str, figures: dict[str, float]) -> None:
    baseline = figures["csflows --help (baseline)"]
    print(f"\n{label}")
    for name, value in figures.items():
        goal = (
            ""
            if "baseline" in name
            else f"  goal <= {GOAL_SECONDS} s: {'met' if value <= GOAL_SECONDS else 'MISSED'}"
        )
        print(f"  {name:<28} {value:6.2f} s  x{value / baseline:4.1f} the baseline{goal}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each command (median)")
    rounds = parser.parse_args().rounds
    with world(0.2) as data, tempfile.TemporaryDirectory(prefix="command-line-") as tmp:
        root = Path(tmp)
        fresh_store(root)
        form = root / "form.json"
        form.write_text(json.dumps(data), encoding="utf-8")
        seconds(["triage", str(DEMO / "tickets" / "1-unclear.eml")], None, 1)  # the model, built
        report("no Prefect server configured", measure(form, None, rounds))
        with prefect_server() as api:
            report(f"a Prefect server running ({api})", measure(form, api, rounds))


if __name__ == "__main__":
    main()
