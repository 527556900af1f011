"""Reads PEX-INFO (pex's field names) from the pex, without a zipfile scan on the warm path."""
import json
import os


def read_member(base, loader, name):
    """A member's bytes: through the zipimporter that already holds the zip directory, or from a directory pex."""
    if getattr(loader, "archive", None):
        return loader.get_data(name)
    with open(os.path.join(base, name), "rb") as handle:
        return handle.read()


def load(base, loader):
    return json.loads(read_member(base, loader, "PEX-INFO").decode("utf-8"))
