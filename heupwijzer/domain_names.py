"""Names from domain.yml that more than one layer needs."""

ERASE_SLOT = "erase_conversation"  # set once the patient confirmed erasure (heupwijzer/store/tracker_store.py)
