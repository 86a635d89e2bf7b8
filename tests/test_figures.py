"""Figures are written the reader's way: 49,5 % and 1.234 in Vietnamese, 49.5% and 1,234 in
English (issue 17)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from tracker.web.templating import format_number, format_percent, format_rate


@pytest.mark.parametrize(
    ("locale", "rate", "count", "days"),
    [("vi", "49,5\u00a0%", "24.321", "2,2"), ("en", "49.5%", "24,321", "2.2")],
)
def test_figures_follow_the_readers_language(app, locale, rate, count, days):
    with app.test_request_context(), force_locale(locale):
        assert format_rate(0.495) == rate
        assert format_percent(49.5) == rate
        assert format_number(24321) == count
        assert format_number(2.25) == days  # one decimal, rounded half to even
        assert format_rate(None) == "—" and format_number(None) == "—"
        assert format_rate(1) == ("100\u00a0%" if locale == "vi" else "100%")
