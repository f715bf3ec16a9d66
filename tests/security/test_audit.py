"""The audit log: every privileged action, with who, when and from where."""

import json
import sqlite3

import pytest

from clearinghouse.security.models import AuditEntry
from clearinghouse.taxonomy.models import Area
from tests.core.test_backup import _env, _run
from tests.factories import AreaFactory, InstitutionFactory
from tests.security.roles import user_create

pytestmark = pytest.mark.django_db


def test_secretariat_api_writes_are_audited_with_address_and_agent(
    secretariat_client, reference_data
):
    InstitutionFactory(slug="itu")
    response = secretariat_client.patch(
        "/api/v1/institutions/itu",
        data=json.dumps({"acronym": "ITU"}),
        content_type="application/json",
        REMOTE_ADDR="198.51.100.4",
        headers={"User-Agent": "curl/8"},
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.get()
    assert entry.action == "institution.update"
    assert entry.actor_label == "curator"
    assert entry.target_type == "actors.institution"
    assert entry.ip_address == "198.51.100.4"
    assert entry.user_agent == "curl/8"


def test_refused_writes_leave_no_audit_entry(client, reference_data):
    InstitutionFactory(slug="itu")
    client.force_login(user_create("reader"))
    response = client.patch(
        "/api/v1/institutions/itu", data="{}", content_type="application/json"
    )
    assert response.status_code == 403
    assert not AuditEntry.objects.exists()


def test_admin_changes_and_bulk_deletions_are_audited(secretariat_client, db):
    areas = [AreaFactory(), AreaFactory()]
    response = secretariat_client.post(
        "/admin/taxonomy/area/",
        {
            "action": "delete_selected",
            "_selected_action": [area.pk for area in areas],
            "post": "yes",
        },
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    assert not Area.objects.filter(pk__in=[a.pk for a in areas]).exists()
    entries = AuditEntry.objects.filter(action="admin.delete")
    assert entries.count() == 2
    assert {entry.ip_address for entry in entries} == {"203.0.113.9"}


def test_backup_and_restore_commands_are_audited(tmp_path):
    live = _env(tmp_path, "live.sqlite3")
    assert _run(live, "migrate", "-v0").returncode == 0
    assert _run(live, "backup", str(tmp_path / "copy.sqlite3")).returncode == 0
    assert _actions(tmp_path / "live.sqlite3") == [("backup.create", "command line")]
    empty = _env(tmp_path, "empty.sqlite3")
    restored = _run(empty, "restore", "--yes", str(tmp_path / "copy.sqlite3"))
    assert restored.returncode == 0, restored.stderr
    # The restored log keeps the restore itself.
    assert _actions(tmp_path / "empty.sqlite3") == [("backup.restore", "command line")]


def _actions(path):
    db = sqlite3.connect(path)
    try:
        return db.execute(
            "SELECT action, actor_label FROM security_auditentry ORDER BY id"
        ).fetchall()
    finally:
        db.close()


def test_the_audit_log_is_read_only_and_for_the_secretariat(
    secretariat_client, client, db
):
    AuditEntry.objects.create(action="institution.update", actor_label="curator")
    assert secretariat_client.get("/admin/security/auditentry/").status_code == 200
    assert secretariat_client.get("/admin/security/auditentry/add/").status_code == 403
    entry = AuditEntry.objects.get()
    change = secretariat_client.post(
        f"/admin/security/auditentry/{entry.pk}/change/", {"action": "forged"}
    )
    assert change.status_code == 403
    entry.refresh_from_db()
    assert entry.action == "institution.update"
    client.force_login(user_create("reader"))
    assert client.get("/admin/security/auditentry/").status_code == 302
