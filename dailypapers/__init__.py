"""dailypapers: a self-hosted Daily Papers service."""
