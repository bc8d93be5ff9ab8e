import math

import pytest
import torch

from genlab.data import load_splits, noisy_view
from genlab.evaluate import bits_per_dim, iwae_log_likelihood, psnr, vae_likelihood
from genlab.evaluate.run_metrics import evaluate_run
from genlab.run import Run
from linear_gaussian import LinearGaussian


def test_iwae_of_equal_weights_is_that_weight():
    log_w = torch.full((10, 3), -5.0)
    assert torch.allclose(iwae_log_likelihood(log_w), torch.full((3,), -5.0))


def test_iwae_is_logmeanexp():
    log_w = torch.log(torch.tensor([[1.0], [3.0]]))
    assert math.isclose(float(iwae_log_likelihood(log_w)[0]), math.log(2.0), rel_tol=1e-6)


def test_bits_per_dim_by_hand():
    assert math.isclose(bits_per_dim(784 * math.log(2), 784), 1.0)
    # dequantized 8-bit data: add D * 8 * log 2 nats
    assert math.isclose(bits_per_dim(0.0, 10, dequantization_bits=8), 8.0)


def test_psnr_by_hand():
    assert torch.allclose(psnr(torch.tensor([0.01, 1.0])), torch.tensor([20.0, 0.0]))


@pytest.fixture(scope="module")
def trained(vae_run):
    run = Run(vae_run)
    config = run.load_config()
    data = load_splits(config.data).test
    x = noisy_view(config.data, data.x, data.bits, torch.Generator().manual_seed(0))
    return run.load_model(), x


def test_with_the_exact_posterior_every_importance_weight_is_the_exact_likelihood():
    model = LinearGaussian.make()
    x = model.sample(500)
    with torch.no_grad():
        log_w = model.vae().log_weights(x, 10)
    assert torch.allclose(log_w, model.log_px(x).expand_as(log_w), atol=1e-4)


def test_elbo_misses_the_exact_likelihood_by_the_posterior_kl_and_iwae_closes_the_gap():
    model = LinearGaussian.make()
    x = model.sample(2000)
    exact_nll = -float(model.log_px(x).mean())
    gap = float(model.posterior_gap(x, 0.6, 2.5).mean())  # KL(q || p(z|x)), about 2.2 nats
    vae = model.vae(0.6, 2.5)
    nll = {}
    for k in (1, 10, 100, 1000):
        torch.manual_seed(0)
        with torch.no_grad():
            terms = vae_likelihood(vae, x, k)
        nll[k] = float(-terms["log_px"].mean())
        assert -float(terms["elbo"].mean()) == pytest.approx(exact_nll + gap, abs=0.3)  # one draw per example
    assert nll[1] == pytest.approx(exact_nll + gap, abs=0.3)  # k = 1 estimates the ELBO
    assert nll[1] > nll[10] > nll[100] > nll[1000]
    assert nll[1000] == pytest.approx(exact_nll, abs=0.05)


def test_chunking_does_not_change_the_estimate(trained):
    model, x = trained
    torch.manual_seed(3)
    whole = vae_likelihood(model, x[:20], 50, batch_size=20, budget=10_000)["log_px"]
    torch.manual_seed(3)
    chunked = vae_likelihood(model, x[:20], 50, batch_size=20, budget=100)["log_px"]  # 5 draws per chunk
    # the chunks consume the same random numbers in the same order, so only float rounding differs
    assert torch.allclose(whole, chunked, atol=1e-4)


def test_evaluate_run_reports_valid_likelihood_for_binarized_data(vae_run):
    one = evaluate_run(str(vae_run), iwae_k=1, n=200, save=False)
    many = evaluate_run(str(vae_run), iwae_k=50, n=200, save=False)
    assert many["likelihood_valid"] is True
    assert many["nll_elbo"] == one["nll_elbo"]  # the ELBO's draw comes first, whatever k is
    assert many["nll_iwae"] < one["nll_iwae"] - 0.1  # the IWAE bound tightens with k ...
    assert many["nll_iwae"] < many["nll_elbo"] - 0.1  # ... and is tighter than the ELBO
    assert math.isclose(many["bits_per_dim"], many["nll_iwae"] / (64 * math.log(2)))


def test_evaluation_is_repeatable(vae_run):
    a = evaluate_run(str(vae_run), iwae_k=5, n=50, save=False)
    b = evaluate_run(str(vae_run), iwae_k=5, n=50, save=False)
    assert a == b
