"""Callgrind's name compression (callgrind.out format): the first use of a file or function name
is written "(N) name", later uses only "(N)". One Names object per file read resolves both."""
import re

_REF = re.compile(r"\((\d+)\)(?: (.*))?$")


class Names:
    def __init__(self):
        self.table = {"fl": {}, "fn": {}}

    def resolve(self, kind, value):
        """The name `value` stands for ("fl" file names and "fn" function names are numbered
        apart; fi/fe lines use the fl table); records a definition when it carries one."""
        m = _REF.match(value)
        if not m:
            return value
        if m.group(2) is not None:
            self.table[kind][m.group(1)] = m.group(2)
        return self.table[kind].get(m.group(1), "?")
