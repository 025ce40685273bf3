from click.testing import CliRunner

from api.cli import cli


def test_version_and_help():
    runner = CliRunner()
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert "clausewatch, version" in result.output
    assert runner.invoke(cli, ["--help"]).exit_code == 0
