"""Shared helpers for benchmark output: machine description and the markdown file each benchmark writes."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

OUT = Path(__file__).parent / "out"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()}"


def write(name: str, body: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.md"
    head = f"Run {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {machine()}.\n\n"
    path.write_text(head + body, encoding="utf-8")
    print(head + body)
    return path
