"""Writes AI agents ask for, kept until a person approves or rejects them."""
