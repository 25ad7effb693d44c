"""cwscodegen: versioned CWS backend-event schemas, their Python bindings and their compatibility."""

__version__ = "0.1.0"
