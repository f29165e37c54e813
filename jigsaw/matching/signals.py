"""Keeping the matcher's view of the person index in step with the index itself."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from jigsaw.matching import index
from jigsaw.people.models import Address, Person, PersonName, Residence


def _person_changed(sender: type[Person], instance: Person, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    index.refresh([instance.pk])


def _part_saved(
    sender: type[PersonName | Residence], instance: PersonName | Residence, **kwargs: Any
) -> None:
    if kwargs.get("raw"):
        return
    index.refresh([instance.person_id])


def _part_deleted(
    sender: type[PersonName | Residence], instance: PersonName | Residence, **kwargs: Any
) -> None:
    # After commit: inside a cascade from a deleted person, refreshing now would write
    # index rows for a person about to go.
    person_id = instance.person_id
    transaction.on_commit(lambda: index.refresh([person_id]))


def _address_changed(sender: type[Address], instance: Address, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    index.refresh(Residence.objects.filter(address=instance).values_list("person_id", flat=True))


def connect() -> None:
    post_save.connect(_person_changed, sender=Person, dispatch_uid="matching_person_saved")
    for model in (PersonName, Residence):
        post_save.connect(_part_saved, sender=model, dispatch_uid=f"matching_{model.__name__}_saved")
        post_delete.connect(_part_deleted, sender=model, dispatch_uid=f"matching_{model.__name__}_deleted")
    post_save.connect(_address_changed, sender=Address, dispatch_uid="matching_address_saved")
