""" "Open a document": a Nysan PDF (PDF/A-3b) or DOCX uploaded on a form's page fills the form with
the data it carries, ready to amend and issue again (``forms.extract``)."""

from __future__ import annotations

from flask import request

from forms.extract import ExtractedDataInvalid, NotANysanDocument

from ..limits import read_document


def open_document(spec, registry, t, page):
    """The form page filled from the uploaded document; ``page`` is ``views._page``."""
    file = request.files.get("document_file")
    if file is None or not file.filename:
        return page(spec, {}, [_fault("open_no_file", t)])
    try:
        found = read_document(file.read(), registry)
    except ExtractedDataInvalid as err:  # filled anyway, its faults shown: the clerk amends them
        return page(spec, err.found["data"], err.as_dicts(t.lang), doc_lang=err.found["lang"])
    except NotANysanDocument as err:  # foreign, broken, beyond the limits, an unknown form: said on the page
        return page(spec, {}, [{"path": "", "code": err.code, "message": err.message(t.lang)}])
    if found["form"] != spec.id:
        return page(spec, {}, [_fault("open_other_form", t)])
    return page(spec, found["data"], doc_lang=found["lang"], notice=t("open_loaded"))


def _fault(key: str, t) -> dict:
    return {"path": "", "code": key, "message": t(key)}
