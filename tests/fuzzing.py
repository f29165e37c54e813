"""Hypothesis against a form: malformed input never breaks it, and a refusal writes
nothing. `tests/test_fuzz_forms.py` runs it over the forms of the person index and the
front door; each part of casework calls it for its own forms from its tests."""

from __future__ import annotations

from django.apps import apps
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jigsaw.access.models import AccessLogEntry

WEIRD = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=3000),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "31",
            "13",
            "2099",
            "9999999999",
            "\x00",
            "NaN",
            "exact",
            "parent",
            "M",
            "WBRI",
            "justified",
            "adoption",
            "SW1A 1AA",
            "943 476 5919",
            "<script>x</script>",
        ]
    ),
)


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in {"people", "access", "partners", "casework", "matching"}
    }


def fuzz_form(client: Client, url: str, fields: list[str], *, examples: int = 30) -> None:
    """POST text of every kind into `fields` of the form at `url`: never a server error,
    and a refused form (no redirect) leaves every table as it was but the access log."""

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(fields, WEIRD)))
    def post(data: dict[str, str]) -> None:
        before = _counts()
        log_before = AccessLogEntry.objects.count()
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)
        if response.status_code != 302:
            after = _counts()
            # A refused form writes nothing but, at most, its own access-log rows.
            after["access.AccessLogEntry"] = log_before
            after["access.AccessLogSubject"] = before["access.AccessLogSubject"]
            assert after == before, (url, data)

    post()
