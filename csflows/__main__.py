"""`python -m csflows`: the `csflows` command, whose package (cli/) sits above the flows; the one
import out of csflows, and the only one import-linter lets through."""

from cli import main

main()
