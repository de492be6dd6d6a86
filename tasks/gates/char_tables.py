"""Character tables the gates' normalisers apply to every turn, as `str.translate` applies them, only
faster on ASCII text (nearly every turn): `str.translate` looks each character up one by one, while
`bytes.translate` maps an ASCII string through a 256-byte table in one pass (about five times faster).
"""

from __future__ import annotations

from collections.abc import Mapping


class CharTable:
    """Characters and what each becomes (None or "": dropped); calling the table on a text gives
    `text.translate(str.maketrans(chars))`, character for character."""

    def __init__(self, chars: Mapping[str, str | None]) -> None:
        self.table: dict[int, str | None] = {ord(char): value for char, value in chars.items()}
        ascii_keys = {key: value for key, value in self.table.items() if key < 128}
        self.touches_ascii = bool(ascii_keys)
        self.ascii_bytes: tuple[bytes, bytes] | None = _byte_table(ascii_keys)

    def __call__(self, text: str) -> str:
        if not text.isascii():
            return text.translate(self.table)
        if not self.touches_ascii:
            return text
        if self.ascii_bytes is None:
            return text.translate(self.table)
        mapping, deleted = self.ascii_bytes
        return text.encode("ascii").translate(mapping, deleted).decode("ascii")


def _byte_table(ascii_keys: Mapping[int, str | None]) -> tuple[bytes, bytes] | None:
    """The ASCII part of a table as `bytes.translate` arguments (mapping, deleted bytes), or None when
    an ASCII character maps to more than one character or out of ASCII."""
    mapping = bytearray(range(256))
    deleted = bytearray()
    for key, char in ascii_keys.items():
        if not char:  # None or "": str.translate deletes the character
            deleted.append(key)
        elif len(char) == 1 and char.isascii():
            mapping[key] = ord(char)
        else:
            return None
    return bytes(mapping), bytes(deleted)
