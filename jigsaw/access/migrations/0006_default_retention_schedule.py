from django.db import migrations

# The authority can change these in the admin; casework adds its own record types.
DEFAULTS = [
    ("child_person", "A child on the person index with no other records", "after_birth", 25),
    ("adult_person", "An adult on the person index with no other records", "after_last_change", 6),
    ("child_protection", "Child protection records", "after_birth", 25),
    ("looked_after", "Records of a looked-after child", "after_birth", 75),
]


def add_defaults(apps, schema_editor):  # type: ignore[no-untyped-def]
    RetentionRule = apps.get_model("access", "RetentionRule")
    for record_type, description, basis, years in DEFAULTS:
        RetentionRule.objects.get_or_create(
            record_type=record_type, defaults={"description": description, "basis": basis, "years": years}
        )


def remove_defaults(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("access", "RetentionRule").objects.filter(record_type__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("access", "0005_retention_and_subject_access")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
