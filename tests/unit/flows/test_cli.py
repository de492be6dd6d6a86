from flows.cli import build_parser
from flows.full_pipeline import main
from tasks.settings import PipelineConfig

# Nested settings are deployment parameters (JSON), not command-line options.
NESTED = {"passages", "preprocess", "gates", "llm", "limits"}


def test_cli_options_mirror_the_config_fields():
    options = {a.dest for a in build_parser()._actions} - {"help"}
    scalar = {name for name, f in PipelineConfig.model_fields.items() if name not in NESTED}
    assert options == scalar
    args = build_parser().parse_args(["--therapeutic-samples", "12", "--seed", "3"])
    assert vars(args) == {"therapeutic_samples": 12, "seed": 3}


def test_cli_rejects_bad_config_before_any_work(capsys):
    assert main(["--shard-records", "1"]) == 2
    assert "--shard-records" in capsys.readouterr().err
