"""The escalation policy Jigsaw ships, in force: five stages of 2, 2, 5, 5 and 10 working
days, from the practitioners concerned up to the partnership's chair; urgent concerns
start with the team manager, due the same working day. A partnership edits it in the admin
site (and names its service managers, heads of service and chair there)."""

from django.db import migrations

NAME = "Resolving professional disagreements and escalating concerns"
INTRODUCTION = (
    "Anyone who works with children may disagree with a decision about a child, or feel that "
    "a concern about a child has not been dealt with adequately. Disagreement is healthy when "
    "it is about the child's safety and is resolved quickly. If you are worried, escalate: "
    "you will be heard, each stage has a deadline, and if it is missed the escalation moves "
    "on by itself."
)

STAGES = [
    (
        1,
        "Practitioner to practitioner",
        2,
        "practitioner",
        False,
        "Talk to the practitioner who made the decision or holds the case. Most disagreements are "
        "resolved here, by sharing what each of you knows.",
    ),
    (
        2,
        "Team manager",
        2,
        "team_manager",
        True,
        "The team manager of the practitioner concerned reviews the decision with you. Urgent "
        "concerns start here and must be answered the same working day.",
    ),
    (
        3,
        "Service manager",
        5,
        "named",
        False,
        "The service manager reviews the case and the decision, and may ask for a multi-agency "
        "meeting.",
    ),
    (
        4,
        "Head of service",
        5,
        "named",
        False,
        "The head of service of the agency concerned decides, having heard both agencies.",
    ),
    (
        5,
        "Partnership chair",
        10,
        "named",
        False,
        "The chair of the safeguarding partnership (or their delegate) makes the final decision "
        "and asks what the partnership should learn.",
    ),
]


def add(apps, schema_editor):  # type: ignore[no-untyped-def]
    EscalationPolicy = apps.get_model("escalation", "EscalationPolicy")
    EscalationStage = apps.get_model("escalation", "EscalationStage")
    in_force = not EscalationPolicy.objects.filter(in_force=True).exists()
    policy, _ = EscalationPolicy.objects.get_or_create(
        name=NAME, defaults={"introduction": INTRODUCTION, "in_force": in_force}
    )
    for order, name, days, holder_kind, urgent_start, description in STAGES:
        EscalationStage.objects.get_or_create(
            policy=policy,
            order=order,
            defaults={
                "name": name,
                "working_days": days,
                "holder_kind": holder_kind,
                "urgent_start": urgent_start,
                "description": description,
            },
        )


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("escalation", "EscalationPolicy").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("escalation", "0001_escalation_policy_and_escalations")]

    operations = [migrations.RunPython(add, remove)]
