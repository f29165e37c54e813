"""The alert rules named in the issue, as data an administrator may change afterwards."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

DEFAULT_RULES = [
    {
        "name": "Three or more domestic abuse incidents in 12 months at an address with a child under five",
        "kind": "events_at_address",
        "event_types": ["police_incident:domestic_abuse"],
        "minimum": 3,
        "window_days": 365,
        "child_under_age": 5,
    },
    {
        # A school term: absence and police involvement close together.
        "name": "Persistent absence from school and a police incident",
        "kind": "combination",
        "event_types": ["school_attendance:persistent_absence", "police_incident"],
        "minimum": 2,
        "window_days": 90,
        "child_under_age": None,
    },
    {
        # Partners' concerns always count; of the events, those that are a worry (a change
        # of school is not).
        "name": "Concerns from two different agencies in one week",
        "kind": "agencies",
        "event_types": [
            "police_incident",
            "health_attendance",
            "was_not_brought",
            "school_attendance:persistent_absence",
            "school_attendance:suspension",
            "school_attendance:permanent_exclusion",
            "school_attendance:missing_education",
        ],
        "minimum": 2,
        "window_days": 7,
        "child_under_age": None,
    },
]


def add_rules(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    AlertRule = apps.get_model("partners", "AlertRule")
    for rule in DEFAULT_RULES:
        AlertRule.objects.get_or_create(name=rule["name"], defaults=rule)


def remove_rules(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    AlertRule = apps.get_model("partners", "AlertRule")
    AlertRule.objects.filter(name__in=[r["name"] for r in DEFAULT_RULES], concerns__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("partners", "0004_partner_portal_flags_feeds_alerts_sharing")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
