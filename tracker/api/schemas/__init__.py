"""The API's shapes, one module per resource: what comes in (validated by webargs) and what
goes out (documented in the OpenAPI description)."""
