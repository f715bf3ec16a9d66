"""Create the closed list of roles as rows."""

from django.db import migrations

ROLE_CODES = [
    "standard_setting",
    "policy_norms",
    "treaty_regulation",
    "operations_coordination",
    "capacity_building",
    "research_monitoring",
    "dispute_resolution",
    "advocacy_awareness",
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("matrix", "Role")
    for code in ROLE_CODES:
        Role.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("matrix", "0001_initial")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
