"""Errors that reach the user as one clear line (the CLI prints them and exits non-zero)."""


class KneedriveError(Exception):
    """Base class: something the user can fix (bad input, impossible request)."""


class InputError(KneedriveError):
    """The input file or sequence cannot be analyzed as given."""


class NotEnoughMotionError(KneedriveError):
    """The clip is readable but holds too little motion for the requested figures."""
