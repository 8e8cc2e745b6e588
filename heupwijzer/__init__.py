"""Heupwijzer: a Dutch patient-education assistant for hip osteoarthritis on Rasa Open Source.

Layers, from the bottom (checked by import-linter in `make lint`, see pyproject.toml):
paths and settings; content; nlu and insights; store; channels (and the top-level `actions`);
server; cli.
"""
