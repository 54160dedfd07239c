"""The colours every picture and page gives routes and unassigned work, so that a route has
the same colour on map.png, the Gantt chart and report.html."""

# tab10 without its red (unassigned work) and grey (streets), then darker shades that stay
# apart from them and from each other on a light map
ROUTE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                 "#bcbd22", "#393b79", "#637939", "#8c6d31", "#7b4173", "#3182bd", "#e6550d",
                 "#31a354", "#756bb1", "#6baed6", "#fd8d3c", "#74c476")
UNASSIGNED_COLOUR = "#e41a1c"


def route_colour(k: int) -> str:
    """The colour of the ``k``-th route of a plan (in the schedule's order)."""
    return ROUTE_COLOURS[k % len(ROUTE_COLOURS)]
