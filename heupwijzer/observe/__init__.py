"""What an operator sees of a running Heupwijzer process: metrics, health and the turn log (issue 23)."""
