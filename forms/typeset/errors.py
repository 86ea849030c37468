"""The one exception of the typesetter: the document needs something it does not do."""


class NotSupported(Exception):
    """Raised for any HTML, CSS or text outside the typesetter's subset; WeasyPrint renders those."""
