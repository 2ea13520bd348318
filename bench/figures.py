"""What every benchmark here shares: timing a call several times (CPU time of this
process beside wall time, medians), and printing a figure beside its floor, the ratio
and its target, with a clear line when a target is missed."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MISSED: list[str] = []


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


@dataclass(frozen=True)
class Timing:
    wall: float  # median seconds
    cpu: float  # median seconds of this process's CPU time
    runs: int

    def __str__(self) -> str:
        return f"{self.wall * 1000:9.3f} ms wall / {self.cpu * 1000:9.3f} ms CPU"


def timed(call: Callable[[], object], runs: int, warm: int = 1) -> Timing:
    """The medians of ``runs`` calls after ``warm`` calls that are not counted."""
    for _ in range(warm):
        call()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return Timing(statistics.median(walls), statistics.median(cpus), runs)


def figure(
    name: str,
    value: Timing,
    *,
    floor: Timing | None = None,
    ratio_target: float | None = None,
    ms_target: float | None = None,
) -> None:
    """One line: the figure, its floor and the ratio of CPU times, and the target met or
    MISSED (a ratio target compares CPU times; a time target the wall-clock median)."""
    parts = [f"{name:<44} {value}"]
    missed = []
    if floor is not None:
        ratio = value.cpu / floor.cpu if floor.cpu else float("inf")
        parts.append(f"floor {floor.cpu * 1000:8.3f} ms CPU  ratio {ratio:5.1f}x")
        if ratio_target is not None:
            parts.append(f"target <= {ratio_target:g}x")
            if ratio > ratio_target:
                missed.append(f"{ratio:.1f}x > {ratio_target:g}x")
    if ms_target is not None:
        parts.append(f"target <= {ms_target:g} ms")
        if value.wall * 1000 > ms_target:
            missed.append(f"{value.wall * 1000:.1f} ms > {ms_target:g} ms")
    line = "  ".join(parts)
    print(line + ("" if not missed else f"  MISSED ({'; '.join(missed)})"), flush=True)
    if missed:
        MISSED.append(f"{name}: {'; '.join(missed)}")


def summary() -> None:
    """The targets missed in this run, or that none was."""
    if MISSED:
        print("\nTargets MISSED in this run:")
        for line in MISSED:
            print(f"  - {line}")
    else:
        print("\nEvery target in this run was met.")
