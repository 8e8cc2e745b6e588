"""The test harness: a running stack and a production farm on this machine."""
