import torch

from genlab.run import Run
from genlab.viz.grid import make_grid, pair_rows
from genlab.viz.report import render_report


def test_grid_layout():
    images = torch.zeros(5, 1, 4, 4)
    images[1] = 1.0
    grid = make_grid(images, ncol=3, padding=1)
    assert grid.shape == (2 * 5 + 1, 3 * 5 + 1, 1)
    assert grid[1:5, 6:10].min() == 255 and grid[1:5, 1:5].max() == 0


def test_pair_rows_puts_inputs_above_reconstructions():
    a, b = torch.zeros(10, 1, 2, 2), torch.ones(10, 1, 2, 2)
    paired = pair_rows(a, b, ncol=4)
    assert paired[:4].max() == 0 and paired[4:8].min() == 1 and len(paired) == 20


def test_report_embeds_pictures_curves_metrics_and_config(vae_run, cli):
    cli("evaluate", vae_run, "--iwae-k", "5", "--n", "20")
    assert "nll_iwae" in (vae_run / "report.html").read_text()  # evaluate refreshes the report
    html = render_report(Run(vae_run))
    assert html.count("data:image/png;base64,") >= 4  # curves, reconstructions, samples, history
    for text in ("Loss curves", "reconstructions", "samples", "nll_iwae", "latent_dim", "examples_per_s"):
        assert text in html
    assert "http://" not in html and "https://" not in html  # self-contained
