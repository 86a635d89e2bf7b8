"""Directive documents (văn bản chỉ đạo): the documents tasks come from."""
