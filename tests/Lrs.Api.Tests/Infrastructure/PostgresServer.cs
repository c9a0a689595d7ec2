using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Lrs.Api.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL server per test process. Either the server named by <c>LRS_TEST_POSTGRES</c>
/// (an admin connection string, used as is) or a throwaway cluster started from the PostgreSQL 15
/// binaries on a free loopback port and removed when the process exits.
/// Every fixture gets its own database from <see cref="CreateDatabase"/>, so fixtures never see each other's data.
/// </summary>
public static class PostgresServer
{
    /// <summary>SQL that undoes migration 11 (<c>0011_statement_object_order</c>) on PostgreSQL, without unrecording it.</summary>
    public const string UndoObjectHash = "DROP INDEX ix_statements_object; ALTER TABLE statements DROP COLUMN object_hash;";

    /// <summary>
    /// SQL that takes a PostgreSQL database back from migration 11 to before migration 9 (which change nothing on SQLite): no
    /// object hash, the body as jsonb, the stored-order index without the key hashes, every own key as a statement_index row and
    /// no key hashes.
    /// </summary>
    public const string UndoStatementKeyHashes =
        UndoObjectHash
        + " ALTER TABLE statements ALTER COLUMN body TYPE jsonb USING body::jsonb; DROP INDEX ix_statements_stored; CREATE INDEX ix_statements_stored ON statements (tenant_id, stored, seq);"
        + " INSERT INTO statement_index SELECT tenant_id, unnest(keys), seq, seq FROM statements ON CONFLICT DO NOTHING;"
        + " ALTER TABLE statements DROP COLUMN key_hashes; DROP INDEX ix_statement_index_seq;";

    public const string EnvironmentVariable = "LRS_TEST_POSTGRES";
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private const string ServiceUser = "postgres";
    private const string DirectoryPrefix = "lrs-test-pg-";
    private const int PoolSize = 20;
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    // ExecutionAndPublication: exactly one start attempt; a failure is cached and rethrown to every caller,
    // so a broken installation fails each test quickly with the same message instead of retrying.
    private static readonly Lazy<string> Admin = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Admin connection string of a running PostgreSQL server (user postgres, database postgres).</summary>
    public static string AdminConnectionString => Admin.Value;

    /// <summary>
    /// Analyses the statements' table of the database of <paramref name="connectionString"/>, as autovacuum would some time after
    /// writes: what PostgreSQL's planner, and the LRS's estimate of how many statements carry a key, then go by.
    /// </summary>
    public static void AnalyseStatements(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var analyse = new NpgsqlCommand("ANALYZE statements", connection);
        analyse.ExecuteNonQuery();
    }

    /// <summary>Creates a fresh, uniquely named database and returns its connection string.</summary>
    public static string CreateDatabase()
    {
        var admin = AdminConnectionString;
        var name = "lrs_test_" + Guid.NewGuid().ToString("N");

        // template0 + explicit encoding/locale: identical databases whatever the server's defaults are,
        // and no "source database is being accessed by other users" error when fixtures create databases in parallel.
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText =
                $"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'";
            command.ExecuteNonQuery();
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        if (!SpecifiesPoolSize(admin))
        {
            builder.MaxPoolSize = PoolSize;
        }
        return builder.ConnectionString;
    }

    private static bool SpecifiesPoolSize(string connectionString)
    {
        // The generic builder keeps only the keys that were actually written.
        var raw = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return raw.Keys.Cast<string>().Any(key =>
            key.Replace(" ", "", StringComparison.Ordinal).Equals("maxpoolsize", StringComparison.OrdinalIgnoreCase) ||
            key.Replace(" ", "", StringComparison.Ordinal).Equals("maximumpoolsize", StringComparison.OrdinalIgnoreCase));
    }

    private static string Start()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return external;
        }

        var cluster = ThrowawayCluster.Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Dispose();
        return cluster.ConnectionString;
    }

    /// <summary>
    /// A throwaway cluster of the caller's own, which it may stop and start again (an outage), separate from the
    /// shared server. Dispose removes it.
    /// </summary>
    public static ThrowawayCluster StartOwnCluster() => ThrowawayCluster.Start();

    public sealed class ThrowawayCluster : IDisposable
    {
        private readonly string root;
        private readonly string dataDirectory;
        private int disposed;

        private ThrowawayCluster(string root, int port)
        {
            this.root = root;
            dataDirectory = Path.Combine(root, "data");
            Port = port;
        }

        public int Port { get; }

        public string ConnectionString =>
            $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres";

        private static bool IsRoot => Environment.UserName == "root";

        public static ThrowawayCluster Start()
        {
            if (!OperatingSystem.IsLinux())
            {
                throw Failure($"the throwaway cluster needs Linux with PostgreSQL 15 in {BinDirectory}; " +
                              $"on other systems set {EnvironmentVariable} to an admin connection string");
            }
            if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
            {
                throw Failure($"{BinDirectory}/initdb not found: install postgresql-15 " +
                              $"or set {EnvironmentVariable} to an admin connection string");
            }

            RemoveAbandonedClusters();

            // The free port is only free when we looked; another process may take it before postgres binds,
            // so a failed start gets a couple of fresh ports before giving up.
            Exception? last = null;
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                var cluster = new ThrowawayCluster(CreateRootDirectory(), FreePort());
                try
                {
                    cluster.InitAndStart();
                    cluster.StartWatchdog();
                    return cluster;
                }
                catch (Exception ex)
                {
                    last = ex;
                    cluster.Dispose();
                }
            }
            throw Failure("could not start a throwaway cluster: " + last!.Message, last);
        }

        private static InvalidOperationException Failure(string message, Exception? inner = null) =>
            new("PostgreSQL test server: " + message, inner);

        private static string CreateRootDirectory()
        {
            // As root the directory must be reachable by the postgres user, so it goes to /tmp (1777)
            // rather than a TMPDIR that may sit under /root. The pid in the name lets later runs
            // recognise clusters whose test process died without cleaning up.
            var parent = IsRoot ? "/tmp" : Path.GetTempPath();
            var path = Path.Combine(parent,
                $"{DirectoryPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
            Directory.CreateDirectory(path);
            if (OperatingSystem.IsWindows())
            {
                throw Failure("unreachable: Linux was checked before"); // keeps the platform analyzer satisfied
            }
            File.SetUnixFileMode(path,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
                UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            if (IsRoot)
            {
                Run("chown", [ServiceUser + ":", path], asServiceUser: false);
            }
            return path;
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private void InitAndStart()
        {
            // --no-sync: nothing here needs to survive a machine crash, and it makes initdb much faster.
            Run(Path.Combine(BinDirectory, "initdb"),
            [
                "-D", dataDirectory, "--auth=trust", "-U", "postgres", "-E", "UTF8", "--locale=C",
                "--no-sync", "--no-instructions",
            ]);
            StartServer();
        }

        /// <summary>Starts the server (again) on the same port and data.</summary>
        public void StartServer()
        {
            // Test data is disposable: trade durability for speed. The socket lives in the data directory
            // so it never clashes with /var/run/postgresql or another cluster.
            var options = string.Join(' ',
                $"-p {Port.ToString(CultureInfo.InvariantCulture)}",
                $"-k {dataDirectory}",
                "-c listen_addresses=127.0.0.1",
                "-c max_connections=300",
                "-c shared_buffers=128MB",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off");
            try
            {
                Run(Path.Combine(BinDirectory, "pg_ctl"),
                [
                    "-D", dataDirectory, "-l", Path.Combine(dataDirectory, "server.log"), "-o", options,
                    "-w", "-t", "60", "start",
                ]);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"{ex.Message}\nserver log:\n{ServerLogTail()}", ex);
            }
        }

        /// <summary>Stops the server as an operator would (fast shutdown: open sessions are ended, data is kept).</summary>
        public void StopServer() =>
            Run(Path.Combine(BinDirectory, "pg_ctl"), ["-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"]);

        private string ServerLogTail()
        {
            try
            {
                var lines = File.ReadAllLines(Path.Combine(dataDirectory, "server.log"));
                return string.Join('\n', lines.TakeLast(20));
            }
            catch (Exception ex)
            {
                return $"(unreadable: {ex.Message})";
            }
        }

        // The test host is often killed right after the last test, before a ProcessExit handler can finish
        // (or run at all). A detached shell outlives it, waits for this process to go away and then stops the
        // cluster and deletes the directory, so no server is left running however the process ends.
        private void StartWatchdog()
        {
            var setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);
            if (setsid is null)
            {
                return; // ProcessExit and the sweep of abandoned clusters still clean up
            }
            const string script = """
                exec </dev/null >/dev/null 2>&1
                while kill -0 "$1"; do sleep 1; done
                cd /
                if [ -f "$2/postmaster.pid" ]; then
                    if [ -n "$5" ]; then runuser -u "$5" -- "$4" -D "$2" -m immediate -w -t 30 stop
                    else "$4" -D "$2" -m immediate -w -t 30 stop; fi
                fi
                rm -rf "$3"
                """;
            Run(setsid,
            [
                "-f", "sh", "-c", script, "lrs-test-pg-watchdog",
                Environment.ProcessId.ToString(CultureInfo.InvariantCulture), dataDirectory, root,
                Path.Combine(BinDirectory, "pg_ctl"), IsRoot ? ServiceUser : "",
            ], asServiceUser: false);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 1)
            {
                return;
            }
            Stop(root);
        }

        // Immediate shutdown: the data is thrown away anyway, so skip the checkpoint.
        private static void Stop(string root)
        {
            var data = Path.Combine(root, "data");
            try
            {
                if (File.Exists(Path.Combine(data, "postmaster.pid")))
                {
                    Run(Path.Combine(BinDirectory, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"]);
                }
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine($"PostgreSQL test server: stopping {data} failed: {ex.Message}");
            }
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine($"PostgreSQL test server: removing {root} failed: {ex.Message}");
            }
        }

        // A test host killed before ProcessExit leaves its cluster running; stop those whose process is gone.
        private static void RemoveAbandonedClusters()
        {
            var parent = IsRoot ? "/tmp" : Path.GetTempPath();
            IEnumerable<string> candidates;
            try
            {
                candidates = Directory.EnumerateDirectories(parent, DirectoryPrefix + "*").ToList();
            }
            catch (IOException)
            {
                return;
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }

            foreach (var candidate in candidates)
            {
                var parts = Path.GetFileName(candidate)[DirectoryPrefix.Length..].Split('-');
                if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid) ||
                    pid == Environment.ProcessId || ProcessExists(pid))
                {
                    continue;
                }
                Stop(candidate);
            }
        }

        private static bool ProcessExists(int pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        // initdb and pg_ctl refuse to run as root; as root they run as the postgres user.
        private static string Run(string file, IReadOnlyList<string> arguments, bool asServiceUser = true)
        {
            var info = new ProcessStartInfo
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                // A working directory the postgres user can read, whatever the test runner's cwd is.
                WorkingDirectory = "/",
            };
            if (asServiceUser && IsRoot)
            {
                info.FileName = File.Exists("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "runuser";
                info.ArgumentList.Add("-u");
                info.ArgumentList.Add(ServiceUser);
                info.ArgumentList.Add("--");
                info.ArgumentList.Add(file);
            }
            else
            {
                info.FileName = file;
            }
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            var commandLine = string.Join(' ', info.ArgumentList.Prepend(info.FileName));
            using var process = new Process { StartInfo = info };
            var output = new StringBuilder();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            try
            {
                process.Start();
            }
            catch (Exception ex)
            {
                throw Failure($"cannot run {commandLine}: {ex.Message}", ex);
            }
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            if (!process.WaitForExit(CommandTimeout))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw Failure($"{commandLine} did not finish within {CommandTimeout.TotalSeconds:0}s:\n{output}");
            }
            process.WaitForExit(); // drains the asynchronous readers
            if (process.ExitCode != 0)
            {
                throw Failure($"{commandLine} exited with code {process.ExitCode}:\n{output}");
            }
            return output.ToString();
        }
    }
}
