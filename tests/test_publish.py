"""Template and platform releases: re-published exactly when their content (or version) changes."""

from __future__ import annotations

from pathlib import Path

from platform_cli import git, templates
from platform_cli.forge.local import LocalForge
from platform_cli.rendering import publish


def release(mini_platform: Path, store: Path) -> publish.Release:
    return publish.template_release(templates.load(mini_platform, "mini"), store)


def test_unchanged_template_is_not_republished(mini_platform, tmp_path):
    first = release(mini_platform, tmp_path / "store")
    pycache = mini_platform / "templates" / "mini" / "template" / "__pycache__"
    pycache.mkdir()
    (pycache / "x.pyc").write_bytes(b"\0")  # ignored, like every __pycache__
    assert release(mini_platform, tmp_path / "store") == first
    assert first.tag == "v0.1.0"


def test_changed_content_or_mode_is_a_dev_build_of_the_same_version(mini_platform, tmp_path):
    store = tmp_path / "store"
    first = release(mini_platform, store)
    readme = next((mini_platform / "templates" / "mini" / "template").glob("README*"))
    readme.write_text(readme.read_text() + "\nmore\n")
    edited = release(mini_platform, store)
    assert edited.sha != first.sha and edited.tag.startswith("v0.1.0+dev.")
    readme.chmod(0o755)
    executable = release(mini_platform, store)
    assert executable.sha != edited.sha and executable.tag != edited.tag
    assert "README" in git.run(["show", "--stat", "--format=", executable.tag], store / "mini")


def test_version_bump_retags_and_deleted_files_leave_the_release(mini_platform, tmp_path):
    store = tmp_path / "store"
    release(mini_platform, store)
    readme = next((mini_platform / "templates" / "mini" / "template").glob("README*"))
    readme.unlink()
    (mini_platform / "templates" / "VERSION").write_text("0.2.0\n")
    bumped = release(mini_platform, store)
    assert bumped.tag == "v0.2.0"
    assert readme.name not in git.tracked_files(store / "mini", bumped.tag)


def test_platform_release_follows_workflow_changes(mini_platform, tmp_path):
    forge = LocalForge(tmp_path / "forge")
    args = (forge, "acme", "platform", mini_platform, "0.1.0", tmp_path / "cache")
    (mini_platform / "workflows").mkdir(exist_ok=True)
    (mini_platform / "workflows" / "build.yml").write_text("on: push\n")
    first = publish.platform_release(*args)
    assert publish.platform_release(*args) == first
    (mini_platform / "workflows" / "build.yml").write_text("on: [push]\n")
    second = publish.platform_release(*args)
    assert second.sha != first.sha
    assert git.show(Path(forge.repo_url("acme", "platform")), second.sha, ".github/workflows/build.yml") == "on: [push]"


def test_platform_release_is_the_plat_project_with_the_source_content(mini_platform, tmp_path):
    """A source holding only content gets the project files and package of the running plat."""
    forge = LocalForge(tmp_path / "forge")
    rel = publish.platform_release(forge, "acme", "platform", mini_platform, "0.1.0", tmp_path / "cache")
    tree = set(git.tracked_files(Path(rel.source), rel.sha))
    assert {
        "pyproject.toml",
        "setup.py",
        "MANIFEST.in",
        "platform_cli/__init__.py",
        "platform_cli/layout.py",
        ".github/workflows/build.yml",
        "templates/mini/copier.yml",
    } <= tree
    assert not any("__pycache__" in p or p.startswith("platform_cli/_content") for p in tree)
    assert not any(p.startswith(("templates/http-api", "workflows/")) for p in tree)  # the source's content only


def test_a_platform_release_checkout_publishes_the_same_release(mini_platform, tmp_path):
    """A source in the release layout (workflows under .github/workflows, its own project) re-publishes as is."""
    forge = LocalForge(tmp_path / "forge")
    first = publish.platform_release(forge, "acme", "platform", mini_platform, "0.1.0", tmp_path / "cache")
    checkout = tmp_path / "release-checkout"
    git.clone(first.source, checkout, branch=first.tag)
    again = publish.platform_release(forge, "acme", "copy", checkout, "0.1.0", tmp_path / "cache")
    assert git.run(["rev-parse", f"{first.sha}^{{tree}}"], Path(first.source)) == git.run(
        ["rev-parse", f"{again.sha}^{{tree}}"], Path(again.source)
    )
