"""A bad config stops before any job runs, with one line naming the key and what is allowed."""

from __future__ import annotations

import copy

import pytest
from conftest import ROOT, load_repo_config, snakemake

from implicit_bias.config import ConfigError, load_yaml, validate_config

SCHEMAS = ROOT / "workflow" / "schemas"


@pytest.fixture(scope="module")
def base() -> dict:
    return load_repo_config()


def test_shipped_config_is_valid_and_gets_defaults(base):
    config = copy.deepcopy(base)
    del config["seeds_per_job"]
    del config["benign_overfitting"]["model"]["t1_constant"]
    resolved = validate_config(config, SCHEMAS)
    assert resolved["seeds_per_job"] == 3
    assert resolved["benign_overfitting"]["model"]["t1_constant"] == 1.0
    assert "seeds_per_job" not in config  # the input is not mutated


def _quick_dim(c):
    return c["benign_overfitting"]["quick"]["dimension"]


BAD = {
    "unknown top-level key": (
        lambda c: c.update(sedes=[0]),
        ["unknown key 'sedes'", "allowed:", "seeds"],
    ),
    "unknown nested key": (
        lambda c: c["benign_overfitting"]["model"].update(sigmaa=0.1),
        ["benign_overfitting.model", "unknown key 'sigmaa'", "sigma"],
    ),
    "scale not allowed": (
        lambda c: c.update(scale="huge"),
        ["scale", "'huge'", "allowed: quick, paper"],
    ),
    "scale wrong type": (lambda c: c.update(scale=3), ["scale", "allowed: quick, paper"]),
    "unknown paper": (
        lambda c: c.update(papers=["nope"]),
        ["papers[0]", "'nope'", "benign_overfitting"],
    ),
    "no papers": (lambda c: c.update(papers=[]), ["papers", "must not be empty"]),
    "empty seeds": (lambda c: c.update(seeds=[]), ["seeds", "must not be empty"]),
    "negative seed": (lambda c: c.update(seeds=[0, -1]), ["seeds[1]", ">= 0"]),
    "duplicate seeds": (lambda c: c.update(seeds=[1, 1]), ["seeds", "unique"]),
    "seeds wrong type": (lambda c: c.update(seeds="0,1"), ["seeds", "expected a list"]),
    "zero seeds_per_job": (lambda c: c.update(seeds_per_job=0), ["seeds_per_job", ">= 1"]),
    "negative step size": (
        lambda c: _quick_dim(c).update(eta=-1e-5),
        ["quick.dimension.eta", "> 0"],
    ),
    "zero step size": (
        lambda c: _quick_dim(c).update(eta=0),
        ["quick.dimension.eta", "> 0", "got 0"],
    ),
    "step size as text": (
        lambda c: _quick_dim(c).update(eta="fast"),
        ["eta", "got 'fast'", "expected a number"],
    ),
    "seed as text": (
        lambda c: c.update(seeds=[0, "one"]),
        ["seeds[1]", "got 'one'", "expected an integer"],
    ),
    "fractional seed": (lambda c: c.update(seeds=["1.5"]), ["seeds[0]", "expected an integer"]),
    "empty sweep": (
        lambda c: _quick_dim(c).update(d=[]),
        ["quick.dimension.d", "must not be empty"],
    ),
    "unknown method": (
        lambda c: _quick_dim(c).update(methods=["ours", "sgd"]),
        ["methods[1]", "'sgd'", "allowed: ours, quad, hybrid, min_l2, min_l1"],
    ),
    "missing experiment": (
        lambda c: c["benign_overfitting"]["paper"].pop("dynamics"),
        ["benign_overfitting.paper", "'dynamics' is required"],
    ),
    "under-parameterized d": (
        lambda c: c["benign_overfitting"]["model"].update(n_ratio=50.0),
        ["d = 100 gives n = round(50.0*sqrt(d)) = 500", "0 < n < d"],
    ),
    "wrong quad step": (
        lambda c: c["benign_overfitting"]["model"].update(quad_step="literal"),
        ["quad_step", "allowed: alpha_scaled, v_frozen_same_alpha"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_config_gives_one_clear_line(base, case):
    mutate, fragments = BAD[case]
    config = copy.deepcopy(base)
    mutate(config)
    with pytest.raises(ConfigError) as err:
        validate_config(config, SCHEMAS)
    message = str(err.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_numeric_text_becomes_numbers(base):
    """`--config 'seeds=[3,4,5]'` arrives as strings; YAML 1.1 reads 1e-5 as text."""
    config = copy.deepcopy(base)
    config["seeds"] = ["3", "4", "5"]
    _quick_dim(config)["eta"] = "1e-5"
    _quick_dim(config)["d"] = ["100", "1000"]
    resolved = validate_config(config, SCHEMAS)
    assert resolved["seeds"] == [3, 4, 5]
    assert _quick_dim(resolved)["eta"] == 1e-5 and _quick_dim(resolved)["d"] == [100, 1000]


def test_malformed_yaml_names_file_and_line(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("scale: quick\nseeds: [0, 1\npapers: [benign_overfitting]\n")
    with pytest.raises(ConfigError, match=r"malformed YAML in .*broken\.yaml line \d+, column \d+"):
        load_yaml(bad)


@pytest.mark.slow
@pytest.mark.parametrize(
    "args, fragment",
    [
        (
            ["--config", "scale=huge"],
            "config error: scale: 'huge' is not allowed (allowed: quick, paper)",
        ),
        (["--config", "papers=[nope]"], "config error: papers[0]: 'nope' is not allowed"),
        (["--config", "bogus=1"], "config error: (top level): unknown key 'bogus'"),
    ],
)
def test_snakemake_stops_before_any_job(workflow_copy, args, fragment):
    proc = snakemake(workflow_copy, "-n", *args, check=False)
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert fragment in err
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (workflow_copy / "results").exists()


@pytest.mark.slow
def test_snakemake_reports_malformed_config_file(workflow_copy):
    sweep = workflow_copy / "config" / "benign_overfitting.yaml"
    sweep.write_text(sweep.read_text().replace("    sigma: 0.1", "    sigma: [0.1"))
    proc = snakemake(workflow_copy, "-n", check=False)
    assert proc.returncode != 0
    assert "config error: malformed YAML in config/benign_overfitting.yaml line" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.slow
def test_bad_config_keeps_finished_results(workflow_copy):
    """A config error must not delete or touch anything already computed."""
    done = workflow_copy / "results" / "benign_overfitting" / "cube_dimension.nc"
    done.parent.mkdir(parents=True)
    done.write_bytes(b"finished")
    proc = snakemake(workflow_copy, "--cores", "1", "--config", "seeds=[]", check=False)
    assert proc.returncode != 0 and "config error: seeds: must not be empty" in proc.stderr
    assert done.read_bytes() == b"finished"
