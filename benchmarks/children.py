"""Running what is measured in subprocesses: the service under `benchmarks.probe`, the raw client
under `benchmarks.baseline`, each with the benchmark's settings as its environment."""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from consumer.config.env import environment_without_settings, settings_environment
from consumer.config.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
# The checkout whose service the subprocesses run (default: this one). Pointing it at another checkout
# (e.g. a `git worktree` of an older commit with this benchmarks/ copied in) measures that code
# against the same inputs and baselines: how BENCHMARKS.md's before/after numbers were taken.
SERVICE_ROOT = Path(os.environ.get("PASI_BENCH_SERVICE_ROOT", ROOT)).resolve()


@dataclass
class Child:
    process: subprocess.Popen
    report_path: Path
    log_path: Path
    ready_path: Path | None = None

    def wait(self, timeout_s: float) -> dict:
        try:
            code = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise RuntimeError(
                f"{self.log_path.name}: still running after {timeout_s:.0f} s; see {self.log_path}"
            ) from None
        if code != 0:
            raise RuntimeError(f"{self.log_path.name}: exit {code}; last lines:\n{tail(self.log_path)}")
        return json.loads(self.report_path.read_text())

    def wait_ready(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while not self.ready_path.exists():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.log_path.name}: exited before it was ready:\n{tail(self.log_path)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.log_path.name}: not ready after {timeout_s:.0f} s")
            time.sleep(0.02)


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no output)"


def spawn(module: str, args: list[str], settings: Settings, name: str) -> Child:
    """`python -m module args` with the settings as environment, output to a log in the run's directory."""
    run_dir = Path(settings.var_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    report = run_dir / f"{name}.report.json"
    ready = run_dir / f"{name}.ready"
    log_path = run_dir / f"{name}.log"
    command = [sys.executable, "-m", module, *args, "--report", str(report), "--ready", str(ready)]
    env = environment_without_settings(dict(os.environ)) | settings_environment(settings)
    env["PYTHONPATH"] = str(SERVICE_ROOT)
    with open(log_path, "ab") as out:
        process = subprocess.Popen(command, env=env, cwd=SERVICE_ROOT, stdout=out, stderr=subprocess.STDOUT)
    return Child(process, report, log_path, ready)


def attach_profiler(child: Child, profile: Path) -> subprocess.Popen:
    """py-spy on a running child and its own children (the relay process) from now until it exits
    (collapsed stacks, per process and thread, 200 Hz)."""
    spy = Path(sys.executable).parent / "py-spy"
    command = [str(spy), "record", "--format", "raw", "--rate", "200", "--threads", "--nonblocking", "--subprocesses",
               "-o", str(profile), "--pid", str(child.process.pid)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_service(settings: Settings, name: str, until_idle_s: float = 2.0, timeout_s: float = 900,
                profile: Path | None = None) -> dict:
    """The service in a subprocess until idle; its probe report (see benchmarks/probe.py).

    With `profile`, py-spy samples it from the moment it has its partitions (start-up left out)."""
    child = spawn("benchmarks.probe", ["--until-idle", str(until_idle_s)], settings, name)
    spy = None
    if profile is not None:
        child.wait_ready()
        spy = attach_profiler(child, profile)
    try:
        return child.wait(timeout_s)
    finally:
        if spy is not None:
            spy.wait(timeout=60)


def span(report: dict) -> float:
    """The measured span: first records returned by a poll to the last output acknowledged (or the
    last offset commit, whichever is later)."""
    end = max(x for x in (report.get("last_ack_at"), report.get("last_commit_at")) if x is not None)
    return end - report["first_records_at"]
