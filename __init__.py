"""streetcrew: next-day work plans for a city's street sweepers, patrol volunteers and crews."""
