"""Pure models and rules of the attendance domain.

Nothing here imports Textual, SQLite or cryptography, so the rules can be
tested and reused on the central side without the laptop application.
"""
