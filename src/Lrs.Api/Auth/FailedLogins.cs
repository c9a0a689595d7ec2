using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace Lrs.Api.Auth;

/// <summary>
/// Counts failed HTTP Basic logins per client address in windows of one minute. Every wrong secret costs a
/// PBKDF2 computation, so guessing is both an attack on secrets and on the CPU: once an address has used up
/// <see cref="LimitOptions.FailedLoginsPerMinute"/>, it is refused before any hashing until its window ends.
/// The address is the connection's; behind a reverse proxy, forwarded headers must be enabled for it to be the client's.
/// </summary>
public sealed class FailedLogins(IOptions<LrsOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    // Above this many addresses, windows that ended are swept out (at most once per window length).
    private const int SweepAbove = 4096;

    private readonly ConcurrentDictionary<string, Failures> _byAddress = new(StringComparer.Ordinal);
    private DateTimeOffset _nextSweep;

    private sealed class Failures(DateTimeOffset ends)
    {
        public DateTimeOffset Ends = ends;
        public int Count;
    }

    /// <summary>How long <paramref name="address"/> must wait before trying unknown credentials again; null when it need not.</summary>
    public TimeSpan? RetryAfter(IPAddress? address)
    {
        var limit = options.Value.Limits.FailedLoginsPerMinute;
        if (limit <= 0 || !_byAddress.TryGetValue(Key(address), out var failures)) return null;
        var now = time.GetUtcNow();
        lock (failures)
            return failures.Count >= limit && failures.Ends > now ? failures.Ends - now : null;
    }

    /// <summary>Counts one failed login of <paramref name="address"/>.</summary>
    public void Record(IPAddress? address)
    {
        if (options.Value.Limits.FailedLoginsPerMinute <= 0) return;
        var now = time.GetUtcNow();
        var failures = _byAddress.GetOrAdd(Key(address), _ => new Failures(now + Window));
        lock (failures)
        {
            if (failures.Ends <= now) (failures.Ends, failures.Count) = (now + Window, 0);
            failures.Count++;
        }
        if (_byAddress.Count > SweepAbove && now >= _nextSweep)
        {
            _nextSweep = now + Window;
            foreach (var (key, value) in _byAddress)
                if (value.Ends <= now) _byAddress.TryRemove(new KeyValuePair<string, Failures>(key, value));
        }
    }

    // An IPv4 client reached over an IPv6 socket counts as the same address as over IPv4.
    private static string Key(IPAddress? address) =>
        address is null ? "" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
