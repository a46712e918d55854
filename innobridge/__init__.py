"""Innobridge (科创桥): the innovation pipeline platform of a city's S&T bureau."""
