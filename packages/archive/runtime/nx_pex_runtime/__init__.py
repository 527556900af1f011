"""The nx-pex runtime: boots a .pex built by @nx-pex/archive (stdlib only, Python 3.8+)."""
