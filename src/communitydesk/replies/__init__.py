"""Public replies sent from the company account, recorded on their ticket."""
