"""The timescale policies Jigsaw ships: Working Together 2023 (in force) and the 2006
guidance as practised in 2009 (initial assessment in 7 working days, core in 35)."""

from django.db import migrations

POLICIES = [
    (
        "Working Together 2023",
        "Working Together to Safeguard Children 2023",
        True,
        [
            ("contact_decision", 1, "working_days"),
            ("assessment", 45, "working_days"),
            ("initial_conference", 15, "working_days"),
            ("first_core_group", 10, "working_days"),
            ("core_group_interval", 4, "weeks"),
            ("first_review", 3, "months"),
            ("later_review", 6, "months"),
            ("plan_visit", 10, "working_days"),
        ],
    ),
    (
        "Working Together 2006 (2009 practice)",
        "Working Together to Safeguard Children 2006 and the Framework for Assessment",
        False,
        [
            ("contact_decision", 1, "working_days"),
            ("initial_assessment", 7, "working_days"),
            ("core_assessment", 35, "working_days"),
            ("initial_conference", 15, "working_days"),
            ("first_core_group", 10, "working_days"),
            ("first_review", 3, "months"),
            ("later_review", 6, "months"),
            ("plan_visit", 10, "working_days"),
        ],
    ),
]


def add(apps, schema_editor):  # type: ignore[no-untyped-def]
    TimescalePolicy = apps.get_model("casework", "TimescalePolicy")
    Timescale = apps.get_model("casework", "Timescale")
    for name, source, in_force, rules in POLICIES:
        policy, _ = TimescalePolicy.objects.get_or_create(name=name, defaults={"source": source, "in_force": in_force})
        for key, amount, unit in rules:
            Timescale.objects.get_or_create(policy=policy, key=key, defaults={"amount": amount, "unit": unit})


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("casework", "TimescalePolicy").objects.filter(name__in=[p[0] for p in POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_timescale_policy")]

    operations = [migrations.RunPython(add, remove)]
