"""The languages Nysan speaks, written once: every other module imports them from here.

A document (and the clerks' web pages) is in Kazakh or Russian, as the act publishes its forms; error
messages and field labels are also given in English, for the programs that call the API.
"""

DOCUMENT_LANGUAGES = ("kk", "ru")
MESSAGE_LANGUAGES = ("kk", "ru", "en")
