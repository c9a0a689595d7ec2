namespace Lrs.Api.Tests;

/// <summary>
/// The command line of the operator's verbs: help, mistakes, and what is printed without a terminal. None of it depends
/// on the store, so it runs once, on a SQLite file of its own.
/// </summary>
public sealed class AdminCommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lrs-cli-").FullName;

    private Dictionary<string, string> Sqlite => new()
    {
        ["Lrs__Storage__Provider"] = "Sqlite",
        ["Lrs__Storage__ConnectionString"] = $"Data Source={Path.Combine(_directory, "lrs.db")}",
    };

    private Task<(int ExitCode, string Output, string Error)> RunAsync(string commandLine) =>
        AdminCommandTests.RunAsync(_directory, Sqlite, commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [Theory]
    [InlineData("", "tenants")]
    [InlineData("tenants", "create")]
    [InlineData("tenants create", "NAME")]
    [InlineData("tenants list", "--help")]
    [InlineData("credentials", "revoke")]
    [InlineData("credentials create", "--registration")]
    [InlineData("credentials list", "--tenant")]
    [InlineData("credentials revoke", "KEY")]
    [InlineData("framework", "import")]
    [InlineData("framework import", "FILE")]
    [InlineData("framework export", "--tenant")]
    [InlineData("evidence", "rebuild")]
    [InlineData("evidence rebuild", "--tenant")]
    [InlineData("demo", "statements")]
    [InlineData("demo seed", "--people-per-unit")]
    [InlineData("demo statements", "--batch")]
    public async Task Every_verb_answers_help_with_its_usage_and_exit_code_0(string verb, string mentioned)
    {
        var help = await RunAsync(verb + " --help");
        help.ExitCode.Should().Be(0, help.Error);
        help.Output.Should().Contain($"Usage:\n  Lrs.Api {verb}".TrimEnd()).And.Contain(mentioned);
        help.Error.Should().BeEmpty();

        (await RunAsync("help " + verb)).Output.Should().Be(help.Output, "help VERB is VERB --help");
    }

    [Theory]
    [InlineData("tenants list --frobnicate", "--frobnicate")]
    [InlineData("credentials create --tenant default --colour blue", "--colour")]
    [InlineData("demo statements --out batches.jsonl --tenant demo", "--tenant")]
    [InlineData("demo seed --people many", "--people is a whole number from 0 to 1000000.")]
    [InlineData("demo statements --out batches.jsonl --batch 0", "--batch is a whole number from 1 to 10000.")]
    [InlineData("credentials create --name x", "--tenant")]
    [InlineData("tenants create", "NAME")]
    [InlineData("credentials frobnicate", "frobnicate")]
    [InlineData("tenants", "command")]
    public async Task An_unknown_option_or_verb_or_a_bad_value_exits_with_1_and_says_which(string commandLine, string named)
    {
        var run = await RunAsync(commandLine);
        run.ExitCode.Should().Be(1);
        run.Error.Should().Contain(named);
        File.Exists(Path.Combine(_directory, "batches.jsonl")).Should().BeFalse("a mistake does nothing");
    }

    [Fact]
    public async Task Without_a_terminal_long_operations_print_their_result_and_no_progress()
    {
        var seeded = await RunAsync("demo seed --tenant stilla --people 12 --statements-per-person 4");
        seeded.ExitCode.Should().Be(0, seeded.Error);
        seeded.Output.Should().StartWith("Demo tenant 'stilla' seeded").And.NotContain("\u001b").And.NotContain("statements: ");
        seeded.Error.Should().BeEmpty();

        var file = Path.Combine(AppContext.BaseDirectory, "Demo", "care-framework.json");
        foreach (var commandLine in new[] { $"framework import --tenant stilla {file}", "evidence rebuild --tenant stilla", "demo statements --out batches.jsonl --people 5" })
        {
            var run = await RunAsync(commandLine);
            run.ExitCode.Should().Be(0, run.Error);
            run.Output.Should().NotContain("\u001b").And.Subject.TrimEnd('\n').Split('\n').Should().ContainSingle(commandLine + " prints only its result");
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
