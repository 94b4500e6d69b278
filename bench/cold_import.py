"""Cold import of every function's handler, as a ratio to a cold `import boto3`.

Each sample is a fresh interpreter that imports the handler module the way Lambda does:
`sys.path` starts with the function's CodeUri (/var/task) then the layer (/opt/python), and
the function's environment is set first. The child times only the import, so interpreter
start-up is left out. The machine is shared and noisy: baseline and functions run
interleaved, in a shuffled order each round, and are compared by their medians.

    python -m bench --only cold_import [--runs N]
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import SectionResult
from infra.provision import LOCAL_STACK_NAME, Provisioned
from infra.template import ROOT, api_routes, function_properties, load_template, resources_of_type

LAYER = ROOT / "layers" / "common"
BASELINE = "baseline: import boto3"

# Runs in the child: only `sys` and `time` (both loaded at start-up) before the clock starts,
# so the figure is the import alone. argv: module, attribute ("" for none), then sys.path.
_CHILD = """
import sys, time
module, attribute, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path[:0] = paths
start = time.perf_counter_ns()
__import__(module)
if attribute:
    getattr(sys.modules[module], attribute)
elapsed = time.perf_counter_ns() - start
print(elapsed, sys.modules[module].__file__)
"""


@dataclass(frozen=True)
class Target:
    limit: float  # highest acceptable ratio
    source: str


@dataclass(frozen=True)
class Measurement:
    ns: int
    module_file: str


def targets(logical_id: str) -> list[Target]:
    """Ratio targets set by the issues; functions behind no API and not the trigger have none."""
    if logical_id == "PreAuthenticationFunction":
        return [Target(1.2, "issue 8"), Target(1.3, "foundation")]
    if logical_id in {route.function for route in api_routes()}:
        return [Target(1.5, "API functions")]
    return []


def lambda_environment(logical_id: str | None) -> dict[str, str]:
    """What Lambda sets before the import: the template's variables (dummy physical names,
    resolved by infra.provision as CloudFormation would), region and fake credentials."""
    template = load_template()
    refs = {name: name for name in template["Resources"]}
    refs.update({k: str(v.get("Default", "")) for k, v in template["Parameters"].items()})
    refs.update(
        {
            "AWS::StackName": LOCAL_STACK_NAME,
            "AWS::Region": "us-east-1",
            "AWS::Partition": "aws",
            "AWS::AccountId": "123456789012",
        }
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        # No instance metadata lookups, no shared config: nothing may reach the network.
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    if logical_id is not None:
        provisioned = Provisioned(
            user_pool_id="", portal_client_id="", care_app_client_id="", refs=refs
        )
        env.update(provisioned.function_environment(logical_id))
        env["AWS_LAMBDA_FUNCTION_NAME"] = logical_id
    return env


def measure_import(
    module: str,
    attribute: str = "",
    paths: list[Path] | None = None,
    env: dict[str, str] | None = None,
) -> Measurement:
    """Import `module` (and resolve `attribute`) in a fresh interpreter; -I keeps the caller's
    PYTHONPATH, user site and working directory off its sys.path."""
    argv = [sys.executable, "-I", "-c", _CHILD, module, attribute, *map(str, paths or [])]
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        argv, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"importing {module} failed:\n{done.stderr}")
    ns, module_file = done.stdout.strip().split(" ", 1)
    return Measurement(int(ns), module_file)


def measure_function(logical_id: str) -> Measurement:
    """One cold import of a function's handler, as Lambda loads it."""
    props = function_properties(logical_id)
    module, attribute = props["Handler"].rsplit(".", 1)
    paths = [ROOT / props["CodeUri"], LAYER]
    return measure_import(module, attribute, paths, lambda_environment(logical_id))


def measure_baseline() -> Measurement:
    return measure_import("boto3", env=lambda_environment(None))


def run(runs: int, seed: int) -> dict[str, list[int]]:
    """Samples (ns) per function and for the baseline, `runs` interleaved shuffled rounds.
    One extra round first is thrown away: it writes .pyc files and warms the file cache."""
    functions = sorted(resources_of_type("AWS::Serverless::Function"))
    jobs = [BASELINE, *functions]
    samples: dict[str, list[int]] = {job: [] for job in jobs}
    rng = random.Random(seed)  # noqa: S311 - a shuffle order, not a secret
    for round_number in range(runs + 1):
        order = jobs[:]
        rng.shuffle(order)
        for job in order:
            measured = measure_baseline() if job == BASELINE else measure_function(job)
            if round_number > 0:
                samples[job].append(measured.ns)
        print(f"round {round_number}/{runs}" + (" (warm-up)" if round_number == 0 else ""))
    return samples


def summarize(samples: dict[str, list[int]]) -> list[dict[str, Any]]:
    baseline_ms = statistics.median(samples[BASELINE]) / 1e6
    rows = []
    for name, values in samples.items():
        if name == BASELINE:
            continue
        median_ms = statistics.median(values) / 1e6
        ratio = median_ms / baseline_ms
        # Same-round pairs share the machine's load at that moment: a second view of the noise.
        paired = statistics.median(v / b for v, b in zip(values, samples[BASELINE], strict=True))
        rows.append(
            {
                "function": name,
                "median_ms": round(median_ms, 2),
                "baseline_median_ms": round(baseline_ms, 2),
                "ratio": round(ratio, 3),
                "paired_ratio_median": round(paired, 3),
                "targets": [
                    {"limit": t.limit, "source": t.source, "met": ratio <= t.limit}
                    for t in targets(name)
                ],
                "samples_ms": [round(v / 1e6, 2) for v in values],
            }
        )
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    header = f"{'function':<28}{'median ms':>10}{'boto3 ms':>10}{'ratio':>8}{'paired':>8}  target"
    lines = [header, "-" * len(header)]
    for row in rows:
        verdicts = "; ".join(
            f"<= {t['limit']:.1f}x ({t['source']}): {'met' if t['met'] else 'NOT MET'}"
            for t in row["targets"]
        )
        lines.append(
            f"{row['function']:<28}{row['median_ms']:>10.1f}{row['baseline_median_ms']:>10.1f}"
            f"{row['ratio']:>7.2f}x{row['paired_ratio_median']:>7.2f}x  {verdicts or '-'}"
        )
    return "\n".join(lines)


def section(runs: int, seed: int) -> SectionResult:
    """The cold-import section of `python -m bench` (bench/__main__.py)."""
    samples = run(runs, seed)
    rows = summarize(samples)
    return SectionResult(
        table=format_table(rows),
        results={
            "runs": runs,
            "warm_up_rounds": 1,
            "baseline": "import boto3",
            "baseline_samples_ms": [round(v / 1e6, 2) for v in samples[BASELINE]],
            "functions": rows,
        },
    )
