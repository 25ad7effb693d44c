"""The one exception type for mistakes a user can make.

The CLI turns a `UserError` into a single line on stderr and exit code 2; anything else is a bug
and keeps its traceback.
"""


class UserError(Exception):
    """Bad input: the message names the file and the place (line/column or JSON pointer)."""
