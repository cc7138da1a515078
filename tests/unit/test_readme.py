"""The README stays in step with the code: its configuration table and its two commands."""

from pathlib import Path

from consumer.config.docs import replace_in

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_configuration_table_lists_every_setting_as_the_code_defines_it():
    readme = (ROOT / "README.md").read_text()
    assert replace_in(readme) == readme, "regenerate it: pasi-concurrent settings --markdown (between the markers)"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = readme.split("**2. Run the tests**", 1)[1].split("```sh", 1)[1].split("```", 1)[0].strip()
    assert test_command == "python -m pytest"
    assert ci.strip().splitlines()[-1] == test_command
