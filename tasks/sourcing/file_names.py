"""File names of any bytes as safe, printable text, and back again.

A source folder may hold names that are not UTF-8 or that carry newlines, tabs or bidi controls.
Such names go into logs, JSON shards, quarantine reasons, Prefect task names and the dataset card's
Markdown table, where a lone surrogate crashes encoding (and the logging that reports it) and a
newline breaks a table row. So a name is stored and shown in one escaped form everywhere: a byte
that is not UTF-8 becomes `\\xNN`, a control or format character `\\uNNNN` (or `\\xNN` below 0x80),
a backslash `\\\\`. The escaping is reversible, so the escaped name is also how the file is found
again (`filesystem_name`), and an ordinary name is left exactly as it was.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import PurePath

# Control (Cc), format (Cf: bidi overrides, zero-width), separators that end lines (Zl, Zp).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|\\)")


def _escape_char(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if unicodedata.category(char) not in _UNSAFE_CATEGORIES:
        return char
    code = ord(char)
    if code < 0x80:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def display_name(name: str | bytes | PurePath) -> str:
    """`name` as printable, valid text: safe in logs, JSON, reasons and Markdown, and reversible."""
    raw = os.fsencode(name)
    out: list[str] = []
    while raw:
        try:
            text = raw.decode("utf-8")
            raw = b""
        except UnicodeDecodeError as error:
            text = raw[: error.start].decode("utf-8")
            out.append("".join(_escape_char(c) for c in text))
            out.append("".join(f"\\x{b:02x}" for b in raw[error.start : error.end]))
            raw = raw[error.end :]
            continue
        out.append("".join(_escape_char(c) for c in text))
    return "".join(out)


def filesystem_name(display: str) -> bytes:
    """The bytes of the name `display_name` escaped: the inverse, to find the file on disk."""
    out = bytearray()
    position = 0
    for match in _ESCAPE.finditer(display):
        out += display[position : match.start()].encode("utf-8")
        escape = match.group(1)
        if escape == "\\":
            out += b"\\"
        elif escape[0] == "x":
            out.append(int(escape[1:], 16))
        else:
            out += chr(int(escape[1:], 16)).encode("utf-8")
        position = match.end()
    out += display[position:].encode("utf-8")
    return bytes(out)
