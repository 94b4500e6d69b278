"""After `sam build`: take out what the Lambda runtime provides, and report artifact sizes.

    python3.12 infra/build_artifacts.py prune  .aws-sam/build
    python3.12 infra/build_artifacts.py report .aws-sam/build

`make build` runs both (and compiles .pyc in between). Standard library only: it runs under
the python3.12 that built the artifacts, outside the project's virtual environment.

prune: layers/common/requirements.txt leaves out boto3 and botocore, but pynamodb requires
botocore, so pip installs it (and what only it needs) anyway. The python3.12 runtime has
boto3 and botocore; the layer's copy would only shadow them. Removed: the runtime's
packages and every distribution that nothing else in the artifact requires.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
import zipfile
from pathlib import Path

# What the python3.12 Lambda runtime brings (/var/runtime).
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer"}
# Lambda's limit on a function's code and layers, unzipped.
UNZIPPED_LIMIT = 250 * 1024 * 1024


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(path: Path) -> set[str]:
    """Distribution names of a requirements file (pins, extras and markers dropped)."""
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(canonical(re.split(r"[\s\[<>=!~;@]", line, maxsplit=1)[0]))
    return names


def installed(site: Path) -> dict[str, Path]:
    """Canonical distribution name -> its .dist-info directory."""
    found = {}
    for info in site.glob("*.dist-info"):
        metadata = (info / "METADATA").read_text(errors="replace")
        match = re.search(r"^Name: (.+)$", metadata, re.MULTILINE)
        if match:
            found[canonical(match.group(1).strip())] = info
    return found


def requires(info: Path) -> set[str]:
    """Names this distribution requires, extras-only requirements left out (markers such as
    python_version are kept: keeping one too many is safe, dropping one is not)."""
    names = set()
    for line in (info / "METADATA").read_text(errors="replace").splitlines():
        if line.startswith("Requires-Dist:"):
            spec = line.split(":", 1)[1].strip()
            if re.search(r"\bextra\s*==", spec):
                continue
            names.add(canonical(re.split(r"[\s\[<>=!~;(@]", spec, maxsplit=1)[0]))
    return names


def removable(site: Path, top_level: set[str]) -> list[str]:
    """Installed distributions that the runtime provides or that only those require."""
    dists = installed(site)
    runtime = {canonical(n) for n in RUNTIME_PROVIDED}
    needed: set[str] = set()
    todo = [n for n in top_level if n not in runtime]
    while todo:
        name = todo.pop()
        if name in needed or name in runtime:
            continue
        needed.add(name)
        if name in dists:
            todo.extend(requires(dists[name]))
    return sorted(name for name in dists if name not in needed)


def remove_distribution(site: Path, info: Path) -> int:
    """Delete a distribution's files (its RECORD) and its .dist-info; returns bytes freed."""
    freed = 0
    root = site.resolve()
    emptied: set[Path] = set()
    for row in (info / "RECORD").read_text().splitlines():
        path = (site / row.split(",", 1)[0]).resolve()
        if root in path.parents and path.is_file():
            freed += path.stat().st_size
            path.unlink()
            emptied.add(path.parent)
    for directory in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        while directory != root and directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
            directory = directory.parent
    if info.exists():
        shutil.rmtree(info)
    return freed


def prune(build: Path, requirements: Path) -> None:
    for site in sorted(build.glob("*/python")):  # layers built with BuildMethod python3.x
        for name in removable(site, requirement_names(requirements)):
            freed = remove_distribution(site, installed(site)[name])
            print(f"{site.parent.name}: removed {name} ({freed / 1e6:.1f} MB)")
        left = RUNTIME_PROVIDED & {p.name for p in site.iterdir()}
        if left:
            raise SystemExit(f"{site}: still bundles {', '.join(sorted(left))}")


def sizes(artifact: Path) -> tuple[int, int, int]:
    """(files, bytes unzipped, bytes zipped as sam package zips them)."""
    buffer = io.BytesIO()
    files = unzipped = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(artifact.rglob("*")):
            if path.is_file():
                files += 1
                unzipped += path.stat().st_size
                archive.write(path, path.relative_to(artifact))
    return files, unzipped, len(buffer.getvalue())


def human(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB"


def report(build: Path) -> None:
    rows = {a.name: sizes(a) for a in sorted(build.iterdir()) if a.is_dir()}
    layers = {name for name in rows if (build / name / "python").is_dir()}
    layer_bytes = sum(rows[name][1] for name in layers)
    print(f"{'artifact':<28}{'files':>6}{'unzipped':>11}{'zipped':>11}{'with layer':>12}")
    for name, (files, unzipped, zipped) in rows.items():
        total = unzipped if name in layers else unzipped + layer_bytes
        print(f"{name:<28}{files:>6}{human(unzipped):>11}{human(zipped):>11}{human(total):>12}")
        if total > UNZIPPED_LIMIT:
            raise SystemExit(f"{name}: over Lambda's 250 MB (code and layers, unzipped)")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("prune", "report"):
        raise SystemExit(__doc__)
    build = Path(argv[1])
    if argv[0] == "prune":
        root = Path(__file__).resolve().parent.parent
        prune(build, root / "layers" / "common" / "requirements.txt")
    else:
        report(build)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
