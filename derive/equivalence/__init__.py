"""``derive check``: is one formula equal to another wherever both are defined?"""
from .decide import check, decide
from .verdict import Answer, Verdict

__all__ = ["check", "decide", "Answer", "Verdict"]
