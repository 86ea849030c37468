"""POST /api/v1/extract: the data a Nysan document carries, from the document itself.

The body is the file (``application/pdf`` or the DOCX media type), bounded like every body by
MAX_CONTENT_LENGTH (413 beyond). The answer is ``{"form", "version", "lang", "data"}``; a file Nysan
did not make, a PDF made without its data, or a damaged one is a 422 envelope, and so is a document
whose data is beyond the limits (its size, depth, ``MAX_ROWS``) or names a form or version the
catalogue does not hold, and data that no longer passes its form version's checks (each fault listed).
"""

from __future__ import annotations

from flask import jsonify, request

import forms
from forms.extract import NotANysanDocument

from ..errors import RequestError, field
from ..limits import read_document
from ..rendering import NO_STORE, registry

MEDIA_TYPES = (forms.MEDIA_TYPES["pdf"], forms.MEDIA_TYPES["docx"])


def extract_document():
    if request.mimetype not in MEDIA_TYPES:
        raise RequestError(415, "unsupported_media_type", [field("", "unsupported_media_type")])
    content = request.get_data(cache=False)  # 413 beyond MAX_CONTENT_LENGTH
    try:
        found = read_document(content, registry())
    except NotANysanDocument as err:
        raise RequestError(422, err.code, [field("", err.code, **err.params)], **err.params) from None
    return jsonify(found), 200, NO_STORE
