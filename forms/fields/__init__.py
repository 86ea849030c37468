"""Field types: the values a form holds (text, dates, IINs, persons, lists) and their rules."""
