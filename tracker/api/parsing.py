"""Reading request bodies: hostile JSON is refused as malformed, never a crash."""

from __future__ import annotations

import json

import flask_smorest
from webargs import core
from webargs.flaskparser import FlaskParser

from tracker.text import nfc_all

# The largest JSON body the API reads: a task with all its rõ is a few kilobytes.
MAX_BODY_BYTES = 1024 * 1024
# The deepest body the API describes is a task's list of milestone objects (3 levels);
# anything far deeper is no request of ours, and would only exhaust the stack later.
MAX_DEPTH = 32


class SafeJsonParser(FlaskParser):
    """Treat JSON nested deeper than MAX_DEPTH, numbers too long to convert, or text with
    lone UTF-16 surrogates (valid JSON escapes, but no character the database can store),
    as a malformed body (400); hand on every string of the rest in NFC."""

    def _raw_load_json(self, req):
        try:
            data = super()._raw_load_json(req)
        except RecursionError as exc:
            raise json.JSONDecodeError("nested too deeply", "…", 0) from exc
        except ValueError as exc:  # e.g. an integer of more digits than Python converts
            if isinstance(exc, json.JSONDecodeError):
                raise
            raise json.JSONDecodeError("number too long", "…", 0) from exc
        if data is not core.missing:
            if _depth(data) > MAX_DEPTH:
                raise json.JSONDecodeError("nested too deeply", "…", 0)
            try:
                json.dumps(data, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError as exc:
                raise json.JSONDecodeError("not encodable as UTF-8", "…", 0) from exc
            # Text from programs enters in NFC, like the pages' forms (web.requests.NfcRequest).
            data = nfc_all(data)
        return data


def _depth(data) -> int:
    """Return how deeply lists and objects nest in a decoded body, without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                break
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, level + 1) for item in items)
    return deepest


class Blueprint(flask_smorest.Blueprint):
    """The API's blueprints read their arguments with the safe parser."""

    ARGUMENTS_PARSER = SafeJsonParser()
