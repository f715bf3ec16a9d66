"""Run every benchmark: `python -m bench [name ...]`.

Each benchmark configures Django for its own temporary database, so each runs
in a process of its own.
"""

import subprocess
import sys

BENCHMARKS = [
    "matrix",
    "events",
    "filters",
    "search",
    "spam",
    "consultation",
    "harvest",
    "crosslingual",
    "semantic",
    "load",
]


def main() -> int:
    """Run the named benchmarks (all by default); exit 1 if a target is missed."""
    names = sys.argv[1:] or BENCHMARKS
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    failed = [
        name
        for name in names
        if subprocess.run(
            [sys.executable, "-m", f"bench.{name}"], check=False
        ).returncode
    ]
    if failed:
        print(f"Targets missed in: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
