"""Allow `python -m cwscodegen`."""

from cwscodegen.cli import main

main()
