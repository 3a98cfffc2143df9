"""`make bench`: run every benchmark module (benchmarks/bench_*.py) and record the figures.

Each module has ``run() -> dict`` returning its figures (with the targets it checks against and
the reference it compares with where it has one); each runs in its own interpreter. The
results are printed and written to ``docs/benchmarks-latest.json``; docs/benchmarks.md quotes
them with the command to reproduce.
Run one: ``python -m benchmarks bench_documents``.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_isolated(name: str) -> dict[str, object]:
    """Run one benchmark module in a fresh interpreter, so that no benchmark's memory, threads
    or warm caches colour another's figures; its result is the last line of its output."""
    code = (f"import json, benchmarks.{name} as bench; "
            f"print(json.dumps(bench.run(), ensure_ascii=False))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1:]}
    figures: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    results: dict[str, object] = {"machine": {"python": platform.python_version(),
                                              "platform": platform.platform()},
                                  "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    for name in names:
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        figures = run_isolated(name)
        figures["wall_s"] = round(time.perf_counter() - started, 2)
        print(json.dumps(figures, indent=2, ensure_ascii=False), flush=True)
        results[name] = figures
    if not argv:
        (ROOT / "docs" / "benchmarks-latest.json").write_text(
            json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
