"""Form widgets that stay fast on a city's lists.

WTForms renders each option of a drop-down list through ``html_params``; a page with the
city's 700 units, or a form with its thousands of people, spends tens of milliseconds on
that alone. ``QuickSelect`` writes the same HTML directly.
"""

from __future__ import annotations

from markupsafe import Markup, escape
from wtforms.fields import SelectField
from wtforms.widgets import Select


class QuickSelect(Select):
    """WTForms' drop-down list, its options written in one step each."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        """Return ``<option>`` as WTForms writes it (attributes in its order)."""
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        label = escape(choice.label or value)
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(value)}">{label}</option>')


def register_widgets() -> None:
    """Render every SelectField with QuickSelect (multiple choices keep WTForms' own)."""
    SelectField.widget = QuickSelect()
