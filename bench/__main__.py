"""`make bench`: every section of the benchmark, one table each, all in bench/results.json.

Each section measures against a baseline taken in the same run (these machines are shared
and noisy): nothing here is a pass/fail timing; a missed target is reported, not raised.

    python -m bench [--only NAME[,NAME...]] [--runs N] [--seed S] [--json PATH]
                    [--load-workers N] [--load-clients N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import Options, SectionResult, in_process

DEFAULT_JSON = Path(__file__).resolve().parent / "results.json"


def _cold_import(options: Options) -> SectionResult:
    from bench import cold_import

    return cold_import.section(options.runs, options.seed)


def _local_stack_load(options: Options) -> SectionResult:
    from bench import local_stack_load

    return local_stack_load.section(options.load_workers, options.load_clients, options.seed)


def _dynamodb_calls(options: Options) -> SectionResult:
    in_process.prepare()
    from bench import dynamodb_calls

    return dynamodb_calls.section(options)


def _warm_latency(options: Options) -> SectionResult:
    in_process.prepare()
    from bench import warm_latency

    return warm_latency.section(options)


def _registration_timing(options: Options) -> SectionResult:
    from bench import registration_timing

    return registration_timing.section(options.seed)


def _link_races(options: Options) -> SectionResult:
    in_process.prepare()
    from bench import link_races

    return link_races.section()


def _cleanup_scale(options: Options) -> SectionResult:
    in_process.prepare()
    from bench import cleanup_scale

    return cleanup_scale.section(options)


# name -> how to run it; in the order they run (the cheap, in-process ones first).
SECTIONS: dict[str, Callable[[Options], SectionResult]] = {
    "dynamodb_calls": _dynamodb_calls,
    "warm_latency": _warm_latency,
    "cleanup_scale": _cleanup_scale,
    "link_races": _link_races,
    "cold_import": _cold_import,
    "local_stack_load": _local_stack_load,
    "registration_timing": _registration_timing,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", default="", help="comma-separated sections (default: all)")
    parser.add_argument("--runs", type=int, default=15, help="rounds per timing (default 15)")
    parser.add_argument("--seed", type=int, default=None, help="shuffle seed (default random)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument(
        "--load-workers",
        type=int,
        default=Options.load_workers,
        help="local_stack_load: concurrent clients (default %(default)s)",
    )
    parser.add_argument(
        "--load-clients",
        type=int,
        default=Options.load_clients,
        help="local_stack_load: registrations, each then confirmed (default %(default)s)",
    )
    args = parser.parse_args(argv)
    chosen = [name for name in args.only.split(",") if name] or list(SECTIONS)
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
    if min(args.runs, args.load_workers, args.load_clients) < 1:
        parser.error("--runs, --load-workers and --load-clients must be at least 1")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    options = Options(
        runs=args.runs,
        seed=seed,
        load_workers=args.load_workers,
        load_clients=args.load_clients,
    )

    results: dict[str, Any] = {}
    for name in chosen:
        print(f"\n== {name}", flush=True)
        section = SECTIONS[name](options)
        print(section.table, flush=True)
        results[name] = section.results
    args.json.write_text(
        json.dumps(
            {
                "parameters": {
                    "runs": args.runs,
                    "load_workers": args.load_workers,
                    "load_clients": args.load_clients,
                    "seed": seed,
                    "python": platform.python_version(),
                    "executable": sys.executable,
                    "machine": platform.machine(),
                    "cpus": os.cpu_count(),
                },
                "sections": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwritten to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
