"""Run the benchmarks: `python -m bench` runs all, `python -m bench forecast_us_states` runs one.

Each benchmark is a module in bench/ with a `main(argv) -> int`; it prints its table and writes it to
bench/out/<name>.md with the date and machine, ready to copy into docs/benchmarks.md.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def _names() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    wanted = [a for a in argv if not a.startswith("-")] or _names()
    unknown = set(wanted) - set(_names())
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; known: {', '.join(_names())}", file=sys.stderr)
        return 2
    status = 0
    for name in wanted:
        print(f"== bench/{name}.py", flush=True)
        module = importlib.import_module(f"bench.{name}")
        status |= module.main([a for a in argv if a.startswith("-")])
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
