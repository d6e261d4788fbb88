"""The audit log: who changed what and when across every module, for the organiser to read and export."""
