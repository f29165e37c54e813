"""Pages of the partners app: alerts."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
