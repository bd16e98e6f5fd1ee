"""`python -m outreach`: the same as the `outreach` command."""

from outreach.cli.main import main

if __name__ == "__main__":
    main()
