"""The source archive every visitor is offered (AGPL-3.0, section 13)."""

import io
import tarfile
import time

import pytest

from clearinghouse.core import source

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(tmp_path, settings):
    """A project outside git, with a secret and run-time data beside its source."""
    root = tmp_path / "project"
    (root / "src" / "pkg" / "__pycache__").mkdir(parents=True)
    (root / "src" / "pkg" / "views.py").write_text("print('hello')\n")
    (root / "src" / "pkg" / "__pycache__" / "views.cpython-311.pyc").write_bytes(b"\0")
    (root / "LICENSE").write_text("GNU AFFERO GENERAL PUBLIC LICENSE\n")
    (root / "var").mkdir()
    (root / "var" / "clearinghouse.sqlite3").write_bytes(b"SQLite format 3\0")
    (root / ".env").write_text("SECRET_KEY=do-not-publish\n")
    settings.PROJECT_DIR = root
    settings.VAR_DIR = tmp_path / "var"
    return root


def _names(path):
    with tarfile.open(path) as archive:
        return set(archive.getnames())


def test_the_archive_holds_the_source_and_never_data_or_secrets(project):
    names = _names(source.source_archive())
    assert "clearinghouse/src/pkg/views.py" in names
    assert "clearinghouse/LICENSE" in names
    assert not any(".env" in n or "var/" in n or "__pycache__" in n for n in names)


def test_the_archive_follows_a_changed_file_and_is_reused_otherwise(project):
    first = source.source_archive()
    built = first.stat().st_mtime
    assert source.source_archive().stat().st_mtime == built
    time.sleep(0.01)
    (project / "src" / "pkg" / "views.py").write_text("print('changed')\n")
    later = source.source_archive()
    with tarfile.open(later) as archive:
        member = archive.extractfile("clearinghouse/src/pkg/views.py")
        assert member.read() == b"print('changed')\n"


def test_in_a_git_checkout_only_tracked_files_are_published(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    names = _names(source.source_archive())
    assert "clearinghouse/src/clearinghouse/core/source.py" in names
    assert "clearinghouse/LICENSE" in names
    assert not any(
        n.startswith(("clearinghouse/.venv/", "clearinghouse/var/")) for n in names
    )


def test_every_page_links_to_the_source_and_the_link_serves_it(
    client, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    html = client.get("/fr/").content.decode()
    assert 'href="/source.tar.gz"' in html
    response = client.get("/source.tar.gz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    with tarfile.open(fileobj=io.BytesIO(body)) as archive:
        assert "clearinghouse/pyproject.toml" in archive.getnames()
    assert client.post("/source.tar.gz").status_code == 405
