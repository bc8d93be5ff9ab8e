"""Pictures from arrays: image grids, traversal and path pictures, GIF animations, heat maps, toy plots.

viz reads no run folder and writes no report; :mod:`genlab.report` and the application packages
put its pictures into pages.
"""

from genlab.viz.grid import grid_image, make_grid, pair_rows, save_grid

__all__ = ["grid_image", "make_grid", "pair_rows", "save_grid"]
