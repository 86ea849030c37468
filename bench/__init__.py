"""Side-by-side benchmark of Nysan against headless Chromium and LibreOffice: ``python -m bench``."""
