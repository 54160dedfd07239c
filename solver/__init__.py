"""streetcrew solvers: shortest paths, routing engines, the checker."""
