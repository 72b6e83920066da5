"""The command line (Typer + Rich): a thin shell over the service functions."""
