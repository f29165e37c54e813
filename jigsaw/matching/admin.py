"""Match models in the admin: the decision thresholds are policy an administrator sets;
the estimated parameters are read, never typed in."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jigsaw.access.admin import PolicyAdmin
from jigsaw.matching.models import MatchModelVersion


@admin.register(MatchModelVersion)
class MatchModelVersionAdmin(PolicyAdmin[MatchModelVersion]):
    list_display = [
        "version",
        "is_active",
        "trained_at",
        "training_records",
        "labelled_pairs",
        "auto_link_threshold",
        "review_threshold",
    ]
    fields = [
        "version",
        "is_active",
        "auto_link_threshold",
        "review_threshold",
        "trained_at",
        "training_records",
        "labelled_pairs",
        "splink_version",
        "notes",
        "parameters",
    ]
    readonly_fields = [
        "version",
        "is_active",
        "trained_at",
        "training_records",
        "labelled_pairs",
        "splink_version",
        "notes",
        "parameters",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Models come from `jigsaw train_match_model`, not from a form.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Reviews and links name the model that scored them.
        return False
