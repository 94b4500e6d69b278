"""make build takes out of the layer what the Lambda runtime provides, and nothing it needs."""

from __future__ import annotations

from pathlib import Path

from infra.build_artifacts import prune, removable

# name -> (Requires-Dist lines, top-level module)
DISTRIBUTIONS = {
    "pynamodb": (["botocore>=1.12.54", "python-dateutil; extra == 'signals'"], "pynamodb"),
    "aws-lambda-powertools": (
        ["jmespath<2.0.0,>=1.0.1", "typing-extensions>=4.11.0", "boto3; extra == 'aws-sdk'"],
        "aws_lambda_powertools",
    ),
    "typing_extensions": ([], "typing_extensions"),
    "botocore": (
        ["jmespath<2.0.0,>=0.7.1", "python-dateutil<3.0.0,>=2.1", "urllib3!=2.2.0,<3,>=1.25.4"],
        "botocore",
    ),
    "jmespath": ([], "jmespath"),
    "python-dateutil": (["six>=1.5"], "dateutil"),
    "six": ([], "six"),
    "urllib3": ([], "urllib3"),
}


def fake_layer(tmp_path: Path) -> Path:
    site = tmp_path / "CommonLayer" / "python"
    for name, (requirements, module) in DISTRIBUTIONS.items():
        info = site / f"{name.replace('-', '_')}-1.0.dist-info"
        info.mkdir(parents=True)
        metadata = [f"Name: {name}", "Version: 1.0"]
        metadata += [f"Requires-Dist: {r}" for r in requirements]
        (info / "METADATA").write_text("\n".join(metadata) + "\n")
        package = site / module
        package.mkdir()
        (package / "__init__.py").write_text("")
        record = [f"{module}/__init__.py,,", f"{info.name}/METADATA,,", f"{info.name}/RECORD,,"]
        (info / "RECORD").write_text("\n".join(record) + "\n")
    return site


def test_what_only_the_runtime_packages_need_is_removable(tmp_path: Path) -> None:
    site = fake_layer(tmp_path)
    top = {"aws-lambda-powertools", "pynamodb"}
    assert removable(site, top) == ["botocore", "python-dateutil", "six", "urllib3"]


def test_prune_leaves_the_layer_without_botocore_and_with_what_it_needs(tmp_path: Path) -> None:
    site = fake_layer(tmp_path)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# runtime deps\naws-lambda-powertools==3.37.0\npynamodb==6.1.0\n")
    prune(tmp_path, requirements)
    left = sorted(p.name for p in site.iterdir())
    assert left == [
        "aws_lambda_powertools",
        "aws_lambda_powertools-1.0.dist-info",
        "jmespath",
        "jmespath-1.0.dist-info",
        "pynamodb",
        "pynamodb-1.0.dist-info",
        "typing_extensions",
        "typing_extensions-1.0.dist-info",
    ]
