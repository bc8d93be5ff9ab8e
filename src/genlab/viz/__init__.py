"""Pictures of models and runs: image grids and the HTML run report."""

from genlab.viz.grid import grid_image, make_grid, pair_rows, save_grid

__all__ = ["grid_image", "make_grid", "pair_rows", "save_grid"]
