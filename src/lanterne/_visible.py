"""Text from records made safe to print on a terminal: what would drive it is shown, not sent.

Titles, raw quarantined lines and warnings come from files anyone can write. A terminal obeys
ESC sequences (colours, clearing the screen, OSC 0 retitling the window, OSC 8 links, and on
some terminals writing files or answering back), C1 controls such as U+009B (CSI on its own),
and shows bidirectional overrides (U+202E) that reorder what follows. Every command that
prints record data passes it through ``visible``: such characters come out as ``\\x1b``,
``\\u202e``…, readable and inert. Tab and line feed are kept where the text is a block (raw
records), escaped where it is one line (a title in a list).
"""

from __future__ import annotations

import re

_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INLINE = re.compile(f"[{_CONTROLS}\t\n]")
_BLOCK = re.compile(f"[{_CONTROLS}]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char == "\t":
        return "\\t"
    if char == "\n":
        return "\\n"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, block: bool = False) -> str:
    """``text`` with control and bidirectional characters written as escapes.

    ``block``: keep tabs and line feeds (a raw record shown over several lines); a carriage
    return is always escaped, since it moves the cursor back over what was printed.
    """
    return (_BLOCK if block else _INLINE).sub(_escape, text)


_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def visible_json(text: str) -> str:
    """JSON text with the characters ``json.dumps`` leaves raw (DEL, C1, bidirectional) written
    as ``\\u`` escapes of four hex digits: the same data, inert on a terminal (C0 is escaped by
    JSON itself)."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
