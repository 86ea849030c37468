"""Rendering: validated data -> template context -> HTML, PDF (the typesetter or WeasyPrint) or DOCX."""
