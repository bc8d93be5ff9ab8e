"""The run report: one self-contained page of curves, pictures, metrics and config."""

from genlab.report import render_report
from genlab.run import Run


def test_report_embeds_pictures_curves_metrics_and_config(vae_run, cli):
    cli("evaluate", vae_run, "--iwae-k", "5", "--n", "20")
    assert "nll_iwae" in (vae_run / "report.html").read_text()  # evaluate refreshes the report
    html = render_report(Run(vae_run))
    assert html.count("data:image/png;base64,") >= 4  # curves, reconstructions, samples, history
    for text in ("Loss curves", "reconstructions", "samples", "nll_iwae", "latent_dim", "examples_per_s"):
        assert text in html
    assert "http://" not in html and "https://" not in html  # self-contained
