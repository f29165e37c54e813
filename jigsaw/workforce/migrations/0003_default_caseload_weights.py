"""The caseload weights Jigsaw ships: a case counts once, and a child protection plan or a
looked-after child counts one and a half (the visits, core groups, conferences and reviews
they bring); leading an early help episode counts a half. An authority changes them in the
admin site."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = {
    "assessment": Decimal("1.00"),
    "child_in_need": Decimal("1.00"),
    "child_protection": Decimal("1.50"),
    "looked_after": Decimal("1.50"),
    "early_help": Decimal("0.50"),
}


def add_defaults(apps, schema_editor):  # type: ignore[no-untyped-def]
    CaseloadWeight = apps.get_model("workforce", "CaseloadWeight")
    for kind, weight in DEFAULTS.items():
        CaseloadWeight.objects.get_or_create(kind=kind, defaults={"weight": weight})


def remove_defaults(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("workforce", "CaseloadWeight").objects.filter(kind__in=DEFAULTS).delete()


class Migration(migrations.Migration):
    dependencies = [("workforce", "0002_caseload_weight")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
