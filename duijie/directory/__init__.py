"""Organisations, people, accounts and their roles."""
