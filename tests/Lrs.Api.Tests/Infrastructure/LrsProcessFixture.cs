namespace Lrs.Api.Tests.Infrastructure;

/// <summary>
/// The real executable in its own process on a fresh store, shared by the tests of one class, as production runs it:
/// one host, one meter provider, nothing shared with other test classes' hosts.
/// </summary>
public abstract class LrsProcessFixture : IAsyncLifetime
{
    public const string Key = "process-key";
    public const string Secret = "process-secret-5d1e";

    private readonly string _directory = Directory.CreateTempSubdirectory("lrs-process-").FullName;
    private LrsProcess? _process;

    /// <summary>The store settings (provider and connection string) for a store in <paramref name="directory"/>.</summary>
    protected abstract IReadOnlyDictionary<string, string> Store(string directory);

    /// <summary>Settings of the LRS beyond its store and bootstrap credential.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    public LrsProcess Lrs => _process ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        var environment = new Dictionary<string, string>(Store(_directory)) { ["Lrs__Bootstrap__Key"] = Key, ["Lrs__Bootstrap__Secret"] = Secret };
        foreach (var (name, value) in Settings) environment[name] = value;
        _process = await LrsProcess.StartAsync(_directory, environment);
        // Once authenticated, the bootstrap credential is known good here, so that tests guessing secrets never lock it out.
        using var client = Client();
        (await client.GetAsync("/xapi/statements?limit=1")).EnsureSuccessStatusCode();
    }

    /// <summary>A client of the bootstrap credential (the operator's: every scope of its tenant and admin).</summary>
    public HttpClient Client(string version = "1.0.3") => FirstStartTests.Authenticated(Lrs, Key, Secret, version);

    public async Task DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

public class SqliteProcess : LrsProcessFixture
{
    protected override IReadOnlyDictionary<string, string> Store(string directory) => new Dictionary<string, string>
    {
        ["Lrs__Storage__Provider"] = "Sqlite",
        ["Lrs__Storage__ConnectionString"] = $"Data Source={Path.Combine(directory, "lrs.db")}",
    };
}

public class PostgresProcess : LrsProcessFixture
{
    protected override IReadOnlyDictionary<string, string> Store(string directory) => new Dictionary<string, string>
    {
        ["Lrs__Storage__Provider"] = "Postgres",
        ["Lrs__Storage__ConnectionString"] = PostgresServer.CreateDatabase(),
    };
}
