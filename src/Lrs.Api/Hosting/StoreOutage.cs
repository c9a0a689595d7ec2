using Lrs.Core.Storage;

namespace Lrs.Api.Hosting;

/// <summary>
/// Whether the database is reachable, as the requests find it. The first request that finds it unreachable logs one
/// warning and starts probing it every second; the first probe that succeeds logs that it is back. Requests in between
/// are answered 503 with Retry-After (see <see cref="Xapi.XapiErrors"/>) without a log line each.
/// </summary>
public sealed partial class StoreOutage(LrsStore store, TimeProvider time, ILogger<StoreOutage> log, IHostApplicationLifetime lifetime)
{
    /// <summary>What a 503 asks the client to wait before trying again.</summary>
    public const int RetryAfterSeconds = 5;

    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);
    private int _down;

    /// <summary>Whether the database is known to be unreachable now.</summary>
    public bool IsDown => Volatile.Read(ref _down) == 1;

    /// <summary>Whether <paramref name="exception"/> means the database is unreachable rather than a fault of the request.</summary>
    public bool Explains(Exception exception) => exception is StoreUnavailableException || store.IsUnreachable(exception);

    /// <summary>Notes that a request found the database unreachable: the first such request of an outage logs it.</summary>
    public void Report(Exception exception)
    {
        if (Interlocked.Exchange(ref _down, 1) == 1) return;
        LogUnreachable(log, (exception.InnerException ?? exception).Message);
        _ = ProbeUntilBackAsync(time.GetTimestamp());
    }

    private async Task ProbeUntilBackAsync(long since)
    {
        var stopping = lifetime.ApplicationStopping;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(ProbeInterval, time, stopping);
                await store.PingAsync(stopping);
                Volatile.Write(ref _down, 0);
                LogBack(log, (int)time.GetElapsedTime(since).TotalSeconds);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Still away (however it fails): try again in a second.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database is unreachable ({Reason}); requests that need it are answered 503 until it is back.")]
    private static partial void LogUnreachable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The database is reachable again, after about {Seconds} s.")]
    private static partial void LogBack(ILogger logger, int seconds);
}
