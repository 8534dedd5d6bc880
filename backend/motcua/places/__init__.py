"""Places: provinces and communes from the official dataset, villages made by coordinators."""
