"""How requests are read: which are the API's, ids bounded to what a row can have, text in
NFC."""

from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Request

from tracker.text import NfcMultiDict


class NfcRequest(Request):
    """A request whose form fields and query arguments are in NFC (JSON bodies are made
    NFC by the API's parser, Excel cells by the importer): text enters in one form."""

    parameter_storage_class = NfcMultiDict


class DatabaseId(IntegerConverter):
    """``<int:…>`` in every address: numbers beyond a 32-bit id cannot name a row, so they
    are a 404 like any unknown id rather than an overflow in the database driver."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - Werkzeug's parameter name
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


API_PREFIX = "/api/"


def is_api_request() -> bool:
    """Tell whether the current request is addressed to the API."""
    return request.path.startswith(API_PREFIX)
