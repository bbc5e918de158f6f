"""The benchmark command: prints the course's measured figures and saves them.

    python -m ragft.bench              # every part
    python -m ragft.bench base_model   # one part

Figures go to results/benchmark.json, one section per part; running one part keeps the others.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Callable

from ragft import RESULTS_DIR


def _base_model() -> dict:
    from ragft.lm import benchmark

    return benchmark()


PARTS: dict[str, Callable[[], dict]] = {"base_model": _base_model}


def run(parts: list[str]) -> dict:
    """Run the named parts, merge them into results/benchmark.json and return the whole file."""
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise SystemExit(f"unknown part(s) {unknown}; choose from {sorted(PARTS)}")
    path = RESULTS_DIR / "benchmark.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    for part in parts:
        start = time.perf_counter()
        results[part] = PARTS[part]()
        print(f"== {part} ({time.perf_counter() - start:.0f} s)")
        for key, value in results[part].items():
            print(f"  {key:32} {value}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"saved to {path}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("parts", nargs="*", help=f"parts to run (default: all of {sorted(PARTS)})")
    run(parser.parse_args(argv).parts or list(PARTS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
