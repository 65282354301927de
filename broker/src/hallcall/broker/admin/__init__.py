"""Hall administration from the command line: flex windows, close of day, appointments, backup."""
