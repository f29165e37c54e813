"""Casework forms, one module per part of the journey."""

from jigsaw.casework.forms.front_door import ContactForm, DecisionForm

__all__ = ["ContactForm", "DecisionForm"]
