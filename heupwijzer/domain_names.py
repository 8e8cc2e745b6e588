"""Names from domain.yml that more than one layer needs."""

ERASE_SLOT = "erase_conversation"  # set once the patient confirmed erasure (heupwijzer/store/tracker_store.py)
MENU_GROUP_ENTITY = "menu_group"  # a payload's menu group: /help{"menu_group": "zelf_doen"}
