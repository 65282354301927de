"""The queue service: runs each command against the rules in one database transaction."""
