"""Run the course headless: every notebook executed in order, executed copies under build/.

    python -m ragft.course              # all notebooks
    python -m ragft.course 00 01        # only those whose name starts with 00 or 01
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ragft import BUILD_DIR, NOTEBOOKS_DIR


def notebooks(prefixes: list[str] | None = None) -> list[Path]:
    """The course notebooks in order (names start with a two-digit number)."""
    found = sorted(p for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    if prefixes:
        found = [p for p in found if p.name.startswith(tuple(prefixes))]
        if not found:
            raise SystemExit(f"no notebook starts with {' or '.join(prefixes)} in {NOTEBOOKS_DIR}")
    return found


def execute(path: Path, out_dir: Path = BUILD_DIR / "notebooks", timeout: int = 900) -> float:
    """Execute one notebook in its own folder; write the executed copy to out_dir; return seconds."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    finally:
        out_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out_dir / path.name)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefixes", nargs="*", help="run only notebooks whose name starts with these")
    args = parser.parse_args(argv)
    rows, failed = [], False
    total = time.perf_counter()
    for path in notebooks(args.prefixes):
        print(f"running {path.name} ...", flush=True)
        try:
            rows.append((path.name, execute(path), "ok"))
        except Exception as error:  # report every notebook, then fail
            failed = True
            rows.append((path.name, float("nan"), f"FAILED: {str(error).splitlines()[0][:80] if str(error) else type(error).__name__}"))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'notebook':<{width}}  seconds  status")
    for name, seconds, status in rows:
        print(f"{name:<{width}}  {seconds:7.1f}  {status}")
    print(f"{'total':<{width}}  {time.perf_counter() - total:7.1f}  executed copies in {BUILD_DIR / 'notebooks'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
