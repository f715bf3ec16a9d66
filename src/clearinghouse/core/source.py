"""The source code of the running installation, offered to every visitor.

The AGPL (section 13) asks a network service to offer its users the source of
the version they use, modifications included. The archive is made from the
installation's own files as they are on disk: the files git tracks or, outside
a git checkout, the project's source directories and top-level files. Untracked
files are left out on purpose, so that a local secret (an `.env` file, a key)
can never be published. The archive is rebuilt whenever one of its files is
newer than it.
"""

import shutil
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings

ARCHIVE_NAME = "clearinghouse-source.tar.gz"
# Outside git: what the source is made of.
_SOURCE_DIRS = (
    ".ci",
    "bench",
    "data",
    "docs",
    "requirements",
    "scripts",
    "src",
    "tests",
)
_SOURCE_TOP_FILES = ("LICENSE", "Makefile", "README.md", "pyproject.toml")


def source_files(root: Path) -> list[Path]:
    """Every source file under `root`, relative to it, in a stable order."""
    git = shutil.which("git")
    try:
        if git is None:
            raise FileNotFoundError("git")
        listed = subprocess.run(  # noqa: S603 - fixed arguments, no user input
            [git, "ls-files", "-z", "--cached"],
            cwd=root,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
        names = [Path(name) for name in listed.decode().split("\0") if name]
    except (OSError, subprocess.SubprocessError):
        names = [Path(name) for name in _SOURCE_TOP_FILES]
        for directory in _SOURCE_DIRS:
            names += [
                path.relative_to(root)
                for path in (root / directory).rglob("*")
                if path.is_file() and "__pycache__" not in path.parts
            ]
    return sorted(name for name in names if (root / name).is_file())


def source_archive() -> Path:
    """Return the path of an up-to-date gzipped tar of the installation's source."""
    root = Path(settings.PROJECT_DIR)
    target = Path(settings.VAR_DIR) / ARCHIVE_NAME
    files = source_files(root)
    newest = max((root / name).stat().st_mtime for name in files)
    if target.exists() and target.stat().st_mtime >= newest:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with tarfile.open(partial, "w:gz") as archive:
        for name in files:
            archive.add(
                root / name, arcname=str(Path("clearinghouse") / name), recursive=False
            )
    partial.replace(target)
    return target
