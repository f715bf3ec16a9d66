"""Run every benchmark: `python -m bench [name ...]`."""

import importlib
import sys

BENCHMARKS = ["matrix", "events"]


def main() -> int:
    """Run the named benchmarks (all by default); exit 1 if a target is missed."""
    names = sys.argv[1:] or BENCHMARKS
    failed = False
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        failed |= not module.main()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
