"""Accounts: members, passwords, bearer tokens, web sessions, login and sign-up throttling."""
