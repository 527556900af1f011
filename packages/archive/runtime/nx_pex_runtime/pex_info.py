"""Reads PEX-INFO (pex's field names) from the pex, without a zipfile scan on the warm path.

PEX-INFO is JSON, but `import json` pulls in `re` (and `enum`), about as much as the rest of a warm
start; a small parser for the JSON subset JSON.stringify writes is cheaper. Anything it does not
understand is handed to the json module, so correctness never depends on the fast path."""
import os


def read_member(base, loader, name):
    """A member's bytes: through the zipimporter that already holds the zip directory, or from a directory pex."""
    if loader is not None and getattr(loader, "archive", None):
        return loader.get_data(name)
    with open(os.path.join(base, name), "rb") as handle:
        return handle.read()


def load(base, loader):
    text = read_member(base, loader, "PEX-INFO").decode("utf-8")
    try:
        value, end = _value(text, 0)
        if text[end:].strip():
            raise ValueError("trailing data")
        return value
    except (ValueError, IndexError):
        import json

        return json.loads(text)


_CONSTANTS = {"true": True, "false": False, "null": None}
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WHITESPACE = " \t\n\r"


def _skip(text, index):
    while text[index] in _WHITESPACE:
        index += 1
    return index


def _value(text, index):
    index = _skip(text, index)
    char = text[index]
    if char == "{":
        result = {}

        def member(at):
            key, at = _string(text, _skip(text, at))
            at = _skip(text, at)
            if text[at] != ":":
                raise ValueError("expected ':'")
            result[key], at = _value(text, at + 1)
            return at

        return result, _items(text, index + 1, "}", member)
    if char == "[":
        items = []

        def element(at):
            item, at = _value(text, at)
            items.append(item)
            return at

        return items, _items(text, index + 1, "]", element)
    if char == '"':
        return _string(text, index)
    for word, constant in _CONSTANTS.items():
        if text.startswith(word, index):
            return constant, index + len(word)
    raise ValueError("unsupported value")  # numbers never occur in PEX-INFO we write: use json


def _items(text, index, close, parse):
    """Parse ','-separated items with `parse` up to `close`; return the index after `close`."""
    index = _skip(text, index)
    if text[index] == close:
        return index + 1
    while True:
        index = _skip(text, parse(index))
        if text[index] == close:
            return index + 1
        if text[index] != ",":
            raise ValueError("expected ','")
        index += 1


def _string(text, index):
    if text[index] != '"':
        raise ValueError("expected a string")
    parts = []
    start = index = index + 1
    while True:
        char = text[index]
        if char == '"':
            parts.append(text[start:index])
            return "".join(parts), index + 1
        if char == "\\":
            parts.append(text[start:index])
            escape = text[index + 1]
            if escape == "u":
                code = int(text[index + 2 : index + 6], 16)
                index += 6
                if 0xD800 <= code < 0xDC00 and text.startswith("\\u", index):
                    low = int(text[index + 2 : index + 6], 16)
                    if 0xDC00 <= low < 0xE000:
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                parts.append(chr(code))
            else:
                parts.append(_ESCAPES[escape])
                index += 2
            start = index
            continue
        if char < " ":
            raise ValueError("control character in string")
        index += 1
