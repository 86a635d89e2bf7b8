"""Reading request bodies: hostile JSON is refused as malformed, never a crash."""

from __future__ import annotations

import json

import flask_smorest
from webargs import core
from webargs.flaskparser import FlaskParser

from tracker.text import nfc_all

# The largest JSON body the API reads: a task with all its rõ is a few kilobytes.
MAX_BODY_BYTES = 1024 * 1024


class SafeJsonParser(FlaskParser):
    """Treat JSON nested too deeply for Python's decoder, or text with lone UTF-16
    surrogates (valid JSON escapes, but no character the database can store), as a
    malformed body (400); hand on every string of the rest in NFC."""

    def _raw_load_json(self, req):
        try:
            data = super()._raw_load_json(req)
        except RecursionError as exc:
            raise json.JSONDecodeError("nested too deeply", "…", 0) from exc
        if data is not core.missing:
            try:
                json.dumps(data, ensure_ascii=False).encode("utf-8")
            except (UnicodeEncodeError, RecursionError) as exc:
                raise json.JSONDecodeError("not encodable as UTF-8", "…", 0) from exc
            # Text from programs enters in NFC, like the pages' forms (pages.NfcRequest).
            data = nfc_all(data)
        return data


class Blueprint(flask_smorest.Blueprint):
    """The API's blueprints read their arguments with the safe parser."""

    ARGUMENTS_PARSER = SafeJsonParser()
