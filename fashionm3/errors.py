"""Typed errors. Their messages are written for the person using the app and are shown as they are, under a
title that says what happened (``title``: the class's default, or one given where the error is raised)."""


class FashionM3Error(Exception):
    """Base class: a problem the user can understand and act on (never a stack trace)."""

    title = "Something went wrong"

    def __init__(self, message: str = "", title: str = ""):
        super().__init__(message)
        if title:
            self.title = title


class InvalidInput(FashionM3Error):
    """The request itself is unusable: empty or over-long text, a file that is not an image, bad filters."""

    title = "Cannot use this request"


class NotFound(FashionM3Error):
    """An id (catalog item, user, session) that does not exist."""

    title = "Not found"


class Unavailable(FashionM3Error):
    """The capability needs a backend that is not running here (for example a GPU model in offline mode)."""

    title = "Not available here"


class CatalogError(FashionM3Error):
    """A catalog file that cannot be read at all (a missing file or missing required columns)."""


class StartupError(FashionM3Error):
    """The app cannot start: one line naming the file at fault and the fix (printed without a traceback)."""

    title = "Cannot start"
