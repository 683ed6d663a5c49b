"""Log levels that match severity.

Django logs every SuspiciousOperation (a foreign Host header, too many fields or files, a
body over the limits) to `django.security.<Name>` at ERROR with a traceback, although the
client gets a 400 or 413 and nothing is wrong with the studio. Operators alert on ERROR,
so these are demoted to WARNING, without the traceback: the message says what was refused.
Unexpected 5xx (`django.request`) stay ERROR with their traceback.
"""

import logging

# The SuspiciousOperation subclasses Django and we raise; each logs under its class name.
REFUSED_REQUESTS = [
    "SuspiciousOperation", "DisallowedHost", "DisallowedRedirect",
    "DisallowedModelAdminLookup", "DisallowedModelAdminToField", "InvalidSessionKey",
    "SuspiciousFileOperation", "SuspiciousMultipartForm", "SuspiciousSession",
    "RequestDataTooBig", "TooManyFieldsSent", "TooManyFilesSent", "RequestTooLarge",
]


class RefusedRequest(logging.Filter):
    """Demote a refused request's record to WARNING and drop its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = None
        record.exc_text = None
        return True
