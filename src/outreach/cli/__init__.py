"""The click command line: parse, call the application, print. Nothing else."""
