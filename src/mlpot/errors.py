"""The project's base exception.

Every error a user can act on (bad input file, unknown element, invalid setting) derives
from MlpotError; the command-line interface prints these as one line without a traceback.
"""


class MlpotError(Exception):
    """An error caused by the user's input, with a message saying what to fix."""
