"""Capital: investors, funds and banks with their preferences."""
